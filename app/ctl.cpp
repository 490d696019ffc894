#include "ctl.h"

#include <limits>

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QDate>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QRegularExpression>
#include <QTextStream>

#include "controlserver.h"
#include "ctlformat.h"
#include "protocol.h"
#include "settings.h"

namespace Ctl {
namespace {

const QString dataDirOption = QStringLiteral("data-dir");
const QString jsonOption = QStringLiteral("json");
const QString asOption = QStringLiteral("as");
const QString helpOption = QStringLiteral("help");
const QString connectionOption = QStringLiteral("connection");
const QString reasonOption = QStringLiteral("reason");
const QString roomOption = QStringLiteral("room");
const QString topicOption = QStringLiteral("topic");
const QString forOption = QStringLiteral("for");
const QString ipOption = QStringLiteral("ip");
const QString idOption = QStringLiteral("id");
const QString maxMembersOption = QStringLiteral("max-members");
const QString lockedOption = QStringLiteral("locked");
const QString slowOption = QStringLiteral("slow");
const QString passwordFileOption = QStringLiteral("password-file");
const QString noPasswordOption = QStringLiteral("no-password");
const QString beforeOption = QStringLiteral("before");
const QString afterOption = QStringLiteral("after");
const QString limitOption = QStringLiteral("limit");
const QString actorOption = QStringLiteral("actor");
const QString actionOption = QStringLiteral("action");
const QString targetOption = QStringLiteral("target");
const QString sinceOption = QStringLiteral("since");
const QString csvOption = QStringLiteral("csv");

// The options that belong to one command each; the rest apply to every command.
const QStringList commandOptions = {
    connectionOption,   reasonOption,     roomOption,       topicOption,  forOption,
    ipOption,           idOption,         maxMembersOption, lockedOption, slowOption,
    passwordFileOption, noPasswordOption, beforeOption,     afterOption,  limitOption,
    actorOption,        actionOption,     targetOption,     sinceOption,  csvOption};

// Commands that only read; every other one acts, and acts under a name (see actorName()).
const QStringList readingCommands = {QStringLiteral("connections"), QStringLiteral("rooms"),
                                     QStringLiteral("users"),       QStringLiteral("bans"),
                                     QStringLiteral("mutes"),       QStringLiteral("history"),
                                     QStringLiteral("audit")};

// The longest ban or mute ctl asks for: a century, far inside QDateTime's range.
constexpr qint64 MaxDurationS = 36500LL * 24 * 60 * 60;
constexpr qint64 MaxCount = 1000000000;
constexpr qint64 MaxSeq = 1LL << 53; // the largest whole number a JSON double holds exactly

bool fail(QString *error, const QString &message)
{
    *error = message;
    return false;
}

bool failUsage(QString *error, const QString &message, const QString &synopsis)
{
    return fail(error, QStringLiteral("%1\nUsage: confab ctl %2").arg(message, synopsis));
}

void addOptions(QCommandLineParser *parser)
{
    parser->addOptions({
        {dataDirOption, QStringLiteral("data directory of the hub"), QStringLiteral("dir")},
        {jsonOption, QStringLiteral("print the result as one line of JSON")},
        {asOption, QStringLiteral("operator name to act under"), QStringLiteral("name")},
        {{QStringLiteral("h"), helpOption}, QStringLiteral("show this help")},
        {connectionOption, QStringLiteral("kick: one connection only"), QStringLiteral("id")},
        {reasonOption, QStringLiteral("kick: reason shown to the user"), QStringLiteral("text")},
        {roomOption, QStringLiteral("broadcast: one room only"), QStringLiteral("room")},
        {topicOption, QStringLiteral("room create: initial topic"), QStringLiteral("text")},
        {forOption, QStringLiteral("ban, mute: how long"), QStringLiteral("duration")},
        {ipOption, QStringLiteral("ban, unban: an IP address"), QStringLiteral("address")},
        {idOption, QStringLiteral("unban: a ban id"), QStringLiteral("n")},
        {maxMembersOption, QStringLiteral("room set: member limit"), QStringLiteral("n")},
        {lockedOption, QStringLiteral("room set: on or off"), QStringLiteral("on|off")},
        {slowOption, QStringLiteral("room set: slow mode"), QStringLiteral("seconds")},
        {passwordFileOption, QStringLiteral("room set: password from a file, - for stdin"),
         QStringLiteral("file")},
        {noPasswordOption, QStringLiteral("room set: remove the password")},
        {beforeOption, QStringLiteral("history: seqs below"), QStringLiteral("seq")},
        {afterOption, QStringLiteral("history: seqs above"), QStringLiteral("seq")},
        {limitOption, QStringLiteral("history, audit: how many"), QStringLiteral("n")},
        {actorOption, QStringLiteral("audit: by this operator"), QStringLiteral("name")},
        {actionOption, QStringLiteral("audit: this action"), QStringLiteral("action")},
        {targetOption, QStringLiteral("audit: target contains"), QStringLiteral("text")},
        {sinceOption, QStringLiteral("audit: from this time"), QStringLiteral("time")},
        {csvOption, QStringLiteral("audit: print CSV")},
    });
}

// Rejects a per-command option given to a command it does not belong to.
bool onlyOptions(const QCommandLineParser &parser, const QStringList &allowed,
                 const QString &synopsis, QString *error)
{
    for (const QString &option : commandOptions) {
        if (parser.isSet(option) && !allowed.contains(option))
            return failUsage(error, QStringLiteral("--%1 does not apply here").arg(option),
                             synopsis);
    }
    return true;
}

bool parseListing(const QString &command, const QStringList &words,
                  const QCommandLineParser &parser, QJsonObject *request, QString *error)
{
    if (!words.isEmpty())
        return failUsage(error, QStringLiteral("unexpected argument '%1'").arg(words.first()),
                         command);
    if (!onlyOptions(parser, {}, command, error))
        return false;

    request->insert(QStringLiteral("command"), command);
    return true;
}

bool parseKick(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
               QString *error)
{
    const QString synopsis = QStringLiteral("kick USER [--connection ID] --reason TEXT");
    if (!onlyOptions(parser, {connectionOption, reasonOption}, synopsis, error))
        return false;
    if (words.size() != 1 || words.first().isEmpty())
        return failUsage(error, QStringLiteral("kick takes one user name"), synopsis);
    if (parser.value(reasonOption).isEmpty())
        return failUsage(error, QStringLiteral("kick needs --reason: the user is told why"),
                         synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("kick"));
    request->insert(QStringLiteral("user"), words.first());
    request->insert(QStringLiteral("reason"), parser.value(reasonOption));
    if (parser.isSet(connectionOption)) {
        bool ok = false;
        const qint64 id = parser.value(connectionOption).toLongLong(&ok);
        if (!ok || id <= 0)
            return failUsage(
                error,
                QStringLiteral("--connection takes a connection id from 'confab ctl connections'"),
                synopsis);
        request->insert(QStringLiteral("connection"), id);
    }
    return true;
}

bool parseBroadcast(const QStringList &words, const QCommandLineParser &parser,
                    QJsonObject *request, QString *error)
{
    const QString synopsis = QStringLiteral("broadcast TEXT [--room ROOM]");
    if (!onlyOptions(parser, {roomOption}, synopsis, error))
        return false;

    // The rest of the line is the text, so unquoted words work as people type them.
    const QString text = words.join(QLatin1Char(' '));
    if (text.trimmed().isEmpty())
        return failUsage(error, QStringLiteral("broadcast needs a text"), synopsis);
    if (parser.isSet(roomOption) && parser.value(roomOption).isEmpty())
        return failUsage(error, QStringLiteral("--room needs a room name"), synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("broadcast"));
    request->insert(QStringLiteral("text"), text);
    if (parser.isSet(roomOption))
        request->insert(QStringLiteral("room"), parser.value(roomOption));
    return true;
}

bool parseRoomCreate(const QString &room, const QCommandLineParser &parser, QJsonObject *request,
                     QString *error)
{
    if (!onlyOptions(parser, {topicOption}, QStringLiteral("room create ROOM [--topic TEXT]"),
                     error))
        return false;

    request->insert(QStringLiteral("command"), QStringLiteral("room.create"));
    request->insert(QStringLiteral("room"), room);
    if (parser.isSet(topicOption))
        request->insert(QStringLiteral("topic"), parser.value(topicOption));
    return true;
}

bool parseRoomDelete(const QString &room, const QCommandLineParser &parser, QJsonObject *request,
                     QString *error)
{
    if (!onlyOptions(parser, {}, QStringLiteral("room delete ROOM"), error))
        return false;

    request->insert(QStringLiteral("command"), QStringLiteral("room.delete"));
    request->insert(QStringLiteral("room"), room);
    return true;
}

bool parseRoomTopic(const QString &room, const QStringList &text, const QCommandLineParser &parser,
                    QJsonObject *request, QString *error)
{
    if (!onlyOptions(parser, {}, QStringLiteral("room topic ROOM TEXT"), error))
        return false;

    request->insert(QStringLiteral("command"), QStringLiteral("room.topic"));
    request->insert(QStringLiteral("room"), room);
    request->insert(QStringLiteral("topic"), text.join(QLatin1Char(' ')));
    return true;
}

// ---- values

// "90s", "10m", "2h", "7d", or several together ("1h30m"). A bare number is refused: minutes
// or seconds would be a guess, and a ban ten times too long is not a small mistake.
bool parseDuration(const QString &text, qint64 *seconds, QString *why)
{
    static const QRegularExpression part(QStringLiteral("(\\d{1,9})([smhd])"));
    static const QHash<QChar, qint64> unit = {{QLatin1Char('s'), 1},
                                              {QLatin1Char('m'), 60},
                                              {QLatin1Char('h'), 60 * 60},
                                              {QLatin1Char('d'), 24 * 60 * 60}};
    qint64 total = 0;
    qsizetype end = 0;
    for (QRegularExpressionMatchIterator it = part.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        if (match.capturedStart() != end)
            break;
        total += match.captured(1).toLongLong() * unit.value(match.captured(2).at(0));
        end = match.capturedEnd();
    }

    if (text.isEmpty() || end != text.size()) {
        *why = QStringLiteral("'%1' is not a duration: use a number and a unit, s, m, h or d "
                              "(90s, 10m, 2h, 7d)")
                   .arg(text);
        return false;
    }
    if (total <= 0 || total > MaxDurationS) {
        *why = QStringLiteral("a duration is from 1s to 36500d; leave --for out for no end");
        return false;
    }
    *seconds = total;
    return true;
}

bool parseCount(const QString &text, qint64 minimum, qint64 maximum, qint64 *value)
{
    bool ok = false;
    *value = text.toLongLong(&ok);
    return ok && *value >= minimum && *value <= maximum;
}

bool parseSwitch(const QString &text, bool *value)
{
    const QString word = text.toLower();
    if (word == QLatin1String("on") || word == QLatin1String("yes")
        || word == QLatin1String("true"))
        *value = true;
    else if (word == QLatin1String("off") || word == QLatin1String("no")
             || word == QLatin1String("false"))
        *value = false;
    else
        return false;
    return true;
}

// ISO 8601 ("2024-05-01", "2024-05-01T09:00", with or without a zone; local time when none)
// or a duration meaning that long ago.
bool parseSince(const QString &text, QDateTime *since)
{
    qint64 ago = 0;
    QString unused;
    if (parseDuration(text, &ago, &unused)) {
        *since = QDateTime::currentDateTimeUtc().addSecs(-ago);
        return true;
    }
    *since = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!since->isValid())
        *since = QDate::fromString(text, Qt::ISODate).startOfDay();
    return since->isValid();
}

// The first line of the file, as the hub reads its own password file; "-" is stdin. The
// password never goes on the command line, where every user of the machine can read it.
bool readPassword(const QString &path, QString *password, QString *why)
{
    const bool stdinWanted = path == QLatin1String("-");
    QFile file(stdinWanted ? QString() : path);
    const bool opened =
        stdinWanted ? file.open(stdin, QIODevice::ReadOnly) : file.open(QIODevice::ReadOnly);
    if (!opened) {
        *why = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }

    QByteArray line = file.readLine();
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    if (line.isEmpty()) {
        *why = QStringLiteral("%1 holds no password on its first line; --no-password removes one")
                   .arg(stdinWanted ? QStringLiteral("stdin") : path);
        return false;
    }
    *password = QString::fromUtf8(line);
    return true;
}

// ---- moderation commands

// --reason TEXT and --for DURATION, which ban and mute take alike.
bool insertReasonAndDuration(const QCommandLineParser &parser, const QString &synopsis,
                             QJsonObject *request, QString *error)
{
    if (parser.isSet(reasonOption))
        request->insert(QStringLiteral("reason"), parser.value(reasonOption));
    if (!parser.isSet(forOption))
        return true;

    qint64 seconds = 0;
    QString why;
    if (!parseDuration(parser.value(forOption), &seconds, &why))
        return failUsage(error, QStringLiteral("--for: %1").arg(why), synopsis);
    request->insert(QStringLiteral("duration_s"), seconds);
    return true;
}

bool parseBan(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
              QString *error)
{
    const QString synopsis =
        QStringLiteral("ban USER|--ip ADDRESS [--for DURATION] [--reason TEXT]");
    if (!onlyOptions(parser, {ipOption, forOption, reasonOption}, synopsis, error))
        return false;
    const bool address = parser.isSet(ipOption);
    if (address ? !words.isEmpty() || parser.value(ipOption).isEmpty()
                : words.size() != 1 || words.first().isEmpty())
        return failUsage(error, QStringLiteral("ban takes one user name, or --ip and an address"),
                         synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("ban"));
    if (address)
        request->insert(QStringLiteral("address"), parser.value(ipOption));
    else
        request->insert(QStringLiteral("user"), words.first());
    return insertReasonAndDuration(parser, synopsis, request, error);
}

bool parseUnban(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
                QString *error)
{
    const QString synopsis = QStringLiteral("unban USER | unban --ip ADDRESS | unban --id N");
    if (!onlyOptions(parser, {ipOption, idOption}, synopsis, error))
        return false;
    const int ways =
        int(!words.isEmpty()) + int(parser.isSet(ipOption)) + int(parser.isSet(idOption));
    if (ways != 1 || words.size() > 1 || (words.size() == 1 && words.first().isEmpty()))
        return failUsage(error, QStringLiteral("unban takes one user name, --ip or --id"),
                         synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("unban"));
    if (!words.isEmpty()) {
        request->insert(QStringLiteral("user"), words.first());
    } else if (parser.isSet(ipOption)) {
        request->insert(QStringLiteral("address"), parser.value(ipOption));
    } else {
        qint64 id = 0;
        if (!parseCount(parser.value(idOption), 1, std::numeric_limits<qint32>::max(), &id))
            return failUsage(error, QStringLiteral("--id takes a ban id from 'confab ctl bans'"),
                             synopsis);
        request->insert(QStringLiteral("id"), id);
    }
    return true;
}

bool parseMute(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
               QString *error)
{
    const QString synopsis =
        QStringLiteral("mute USER [--room ROOM] [--for DURATION] [--reason TEXT]");
    if (!onlyOptions(parser, {roomOption, forOption, reasonOption}, synopsis, error))
        return false;
    if (words.size() != 1 || words.first().isEmpty())
        return failUsage(error, QStringLiteral("mute takes one user name"), synopsis);
    if (parser.isSet(roomOption) && parser.value(roomOption).isEmpty())
        return failUsage(error, QStringLiteral("--room needs a room name"), synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("mute"));
    request->insert(QStringLiteral("user"), words.first());
    if (parser.isSet(roomOption))
        request->insert(QStringLiteral("room"), parser.value(roomOption));
    return insertReasonAndDuration(parser, synopsis, request, error);
}

bool parseUnmute(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
                 QString *error)
{
    const QString synopsis = QStringLiteral("unmute USER [--room ROOM]");
    if (!onlyOptions(parser, {roomOption}, synopsis, error))
        return false;
    if (words.size() != 1 || words.first().isEmpty())
        return failUsage(error, QStringLiteral("unmute takes one user name"), synopsis);
    if (parser.isSet(roomOption) && parser.value(roomOption).isEmpty())
        return failUsage(error, QStringLiteral("--room needs a room name"), synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("unmute"));
    request->insert(QStringLiteral("user"), words.first());
    if (parser.isSet(roomOption))
        request->insert(QStringLiteral("room"), parser.value(roomOption));
    return true;
}

bool parseSlow(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
               QString *error)
{
    const QString synopsis = QStringLiteral("slow ROOM SECONDS");
    if (!onlyOptions(parser, {}, synopsis, error))
        return false;
    qint64 seconds = 0;
    if (words.size() != 2 || words.first().isEmpty())
        return failUsage(error, QStringLiteral("slow takes a room and a number of seconds"),
                         synopsis);
    if (!parseCount(words.at(1), 0, MaxCount, &seconds))
        return failUsage(error,
                         QStringLiteral("'%1' is not a number of seconds (0 turns slow mode off)")
                             .arg(words.at(1)),
                         synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("room.set"));
    request->insert(QStringLiteral("room"), words.first());
    request->insert(QStringLiteral("slow_mode_s"), seconds);
    return true;
}

// Each option is one setting; only the ones given change.
bool parseRoomSettings(const QCommandLineParser &parser, QJsonObject *request,
                       const QString &synopsis, QString *error)
{
    qint64 number = 0;
    bool on = false;
    if (parser.isSet(maxMembersOption)) {
        if (!parseCount(parser.value(maxMembersOption), 0, MaxCount, &number))
            return failUsage(error, QStringLiteral("--max-members takes a number (0: no limit)"),
                             synopsis);
        request->insert(QStringLiteral("max_members"), number);
    }
    if (parser.isSet(lockedOption)) {
        if (!parseSwitch(parser.value(lockedOption), &on))
            return failUsage(error, QStringLiteral("--locked takes on or off"), synopsis);
        request->insert(QStringLiteral("locked"), on);
    }
    if (parser.isSet(slowOption)) {
        if (!parseCount(parser.value(slowOption), 0, MaxCount, &number))
            return failUsage(error, QStringLiteral("--slow takes a number of seconds (0: off)"),
                             synopsis);
        request->insert(QStringLiteral("slow_mode_s"), number);
    }
    if (parser.isSet(passwordFileOption)) {
        QString password;
        QString why;
        if (!readPassword(parser.value(passwordFileOption), &password, &why))
            return failUsage(error, QStringLiteral("--password-file: %1").arg(why), synopsis);
        request->insert(QStringLiteral("password"), password);
    }
    if (parser.isSet(noPasswordOption))
        request->insert(QStringLiteral("password"), QString());
    return true;
}

bool parseRoomSet(const QString &room, const QCommandLineParser &parser, QJsonObject *request,
                  QString *error)
{
    const QString synopsis =
        QStringLiteral("room set ROOM [--max-members N] [--locked on|off] [--slow SECONDS] "
                       "[--password-file FILE | --no-password]");
    const QStringList settings = {maxMembersOption, lockedOption, slowOption, passwordFileOption,
                                  noPasswordOption};
    if (!onlyOptions(parser, settings, synopsis, error))
        return false;
    if (parser.isSet(passwordFileOption) && parser.isSet(noPasswordOption))
        return failUsage(error,
                         QStringLiteral("--password-file and --no-password contradict each other"),
                         synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("room.set"));
    request->insert(QStringLiteral("room"), room);
    if (!parseRoomSettings(parser, request, synopsis, error))
        return false;
    if (request->size() == 2)
        return failUsage(error, QStringLiteral("room set needs at least one setting"), synopsis);
    return true;
}

bool parseDelete(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
                 QString *error)
{
    const QString synopsis = QStringLiteral("delete ROOM SEQ [--reason TEXT]");
    if (!onlyOptions(parser, {reasonOption}, synopsis, error))
        return false;
    qint64 seq = 0;
    if (words.size() != 2 || words.first().isEmpty())
        return failUsage(error, QStringLiteral("delete takes a room and a message's seq"),
                         synopsis);
    if (!parseCount(words.at(1), 1, MaxSeq, &seq))
        return failUsage(
            error,
            QStringLiteral("'%1' is not a seq: use the number 'confab ctl history' shows")
                .arg(words.at(1)),
            synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("message.delete"));
    request->insert(QStringLiteral("room"), words.first());
    request->insert(QStringLiteral("seq"), seq);
    if (parser.isSet(reasonOption))
        request->insert(QStringLiteral("reason"), parser.value(reasonOption));
    return true;
}

// A seq or a limit taken from an option into the request; absent options are left out.
bool optionCount(const QCommandLineParser &parser, const QString &option, const char *key,
                 qint64 maximum, QJsonObject *request)
{
    if (!parser.isSet(option))
        return true;
    qint64 value = 0;
    if (!parseCount(parser.value(option), 1, maximum, &value))
        return false;
    request->insert(QLatin1String(key), value);
    return true;
}

bool parseHistory(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
                  QString *error)
{
    const QString synopsis =
        QStringLiteral("history ROOM [--before SEQ] [--after SEQ] [--limit N]");
    if (!onlyOptions(parser, {beforeOption, afterOption, limitOption}, synopsis, error))
        return false;
    if (words.size() != 1 || words.first().isEmpty())
        return failUsage(error, QStringLiteral("history takes one room name"), synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("history"));
    request->insert(QStringLiteral("room"), words.first());
    if (!optionCount(parser, beforeOption, "before", MaxSeq, request)
        || !optionCount(parser, afterOption, "after", MaxSeq, request))
        return failUsage(error, QStringLiteral("--before and --after take a seq, 1 or more"),
                         synopsis);
    if (!optionCount(parser, limitOption, "limit", Protocol::MaxHistoryLimit, request))
        return failUsage(error,
                         QStringLiteral("--limit is from 1 to %1").arg(Protocol::MaxHistoryLimit),
                         synopsis);
    return true;
}

bool parseAudit(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
                QString *error)
{
    const QString synopsis = QStringLiteral("audit [--actor NAME] [--action ACTION] "
                                            "[--target TEXT] [--since TIME] [--limit N] [--csv]");
    if (!onlyOptions(parser,
                     {actorOption, actionOption, targetOption, sinceOption, limitOption, csvOption},
                     synopsis, error))
        return false;
    if (!words.isEmpty())
        return failUsage(error, QStringLiteral("unexpected argument '%1'").arg(words.first()),
                         synopsis);

    request->insert(QStringLiteral("command"), QStringLiteral("audit"));
    for (const QString &option : {actorOption, actionOption, targetOption}) {
        if (parser.isSet(option))
            request->insert(option, parser.value(option));
    }
    if (parser.isSet(sinceOption)) {
        QDateTime since;
        if (!parseSince(parser.value(sinceOption), &since))
            return failUsage(error,
                             QStringLiteral("--since takes an ISO 8601 time (2024-05-01T09:00) "
                                            "or a duration ago (2h)"),
                             synopsis);
        request->insert(QStringLiteral("since"), since.toUTC().toString(Qt::ISODateWithMs));
    }
    if (!optionCount(parser, limitOption, "limit", MaxCount, request))
        return failUsage(error, QStringLiteral("--limit takes a number, 1 or more"), synopsis);
    return true;
}

bool parseRoom(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
               QString *error)
{
    const QString action = words.value(0);
    const QString room = words.value(1);
    if (!room.isEmpty() && words.size() == 2 && action == QLatin1String("create"))
        return parseRoomCreate(room, parser, request, error);
    if (!room.isEmpty() && words.size() == 2 && action == QLatin1String("delete"))
        return parseRoomDelete(room, parser, request, error);
    if (!room.isEmpty() && words.size() == 2 && action == QLatin1String("set"))
        return parseRoomSet(room, parser, request, error);

    // An explicit empty TEXT ("") clears the topic, so only a missing one is an error.
    if (!room.isEmpty() && words.size() >= 3 && action == QLatin1String("topic"))
        return parseRoomTopic(room, words.mid(2), parser, request, error);

    return failUsage(error,
                     QStringLiteral("room takes create, delete, topic or set and a room name"),
                     QStringLiteral("room create ROOM [--topic TEXT] | room delete ROOM | "
                                    "room topic ROOM TEXT | room set ROOM SETTINGS..."));
}

bool parseCommand(const QCommandLineParser &parser, QJsonObject *request, QString *error)
{
    QStringList words = parser.positionalArguments();
    if (words.isEmpty())
        return fail(error, QStringLiteral("no command given"));

    using Parser =
        bool (*)(const QStringList &, const QCommandLineParser &, QJsonObject *, QString *);
    static const QHash<QString, Parser> parsers = {
        {QStringLiteral("kick"), parseKick},     {QStringLiteral("broadcast"), parseBroadcast},
        {QStringLiteral("room"), parseRoom},     {QStringLiteral("ban"), parseBan},
        {QStringLiteral("unban"), parseUnban},   {QStringLiteral("mute"), parseMute},
        {QStringLiteral("unmute"), parseUnmute}, {QStringLiteral("slow"), parseSlow},
        {QStringLiteral("delete"), parseDelete}, {QStringLiteral("history"), parseHistory},
        {QStringLiteral("audit"), parseAudit},
    };

    const QString command = words.takeFirst();
    if (command == QLatin1String("connections") || command == QLatin1String("rooms")
        || command == QLatin1String("users") || command == QLatin1String("bans")
        || command == QLatin1String("mutes")) {
        return parseListing(command, words, parser, request, error);
    }
    if (const Parser parse = parsers.value(command))
        return parse(words, parser, request, error);
    return fail(error, QStringLiteral("unknown command '%1'").arg(command));
}

bool connectToHub(QLocalSocket *socket, const QString &dataDir, QTextStream &err)
{
    const QString path = controlSocketPath(dataDir);
    socket->connectToServer(path);
    if (socket->waitForConnected(TimeoutMs))
        return true;

    const QLocalSocket::LocalSocketError error = socket->error();
    if (error == QLocalSocket::ServerNotFoundError || error == QLocalSocket::ConnectionRefusedError)
        err << "confab ctl: no Confab hub is running for data directory " << dataDir << '\n';
    else
        err << "confab ctl: cannot reach the hub at " << path << ": " << socket->errorString()
            << '\n';
    return false;
}

bool sendRequest(QLocalSocket *socket, const QJsonObject &request)
{
    const QByteArray line = QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n';
    if (socket->write(line) != line.size())
        return false;
    while (socket->bytesToWrite() > 0) {
        if (!socket->waitForBytesWritten(TimeoutMs))
            return false;
    }
    return true;
}

bool readReply(QLocalSocket *socket, QByteArray *line, QString *why)
{
    // Each wait is bounded, not the whole reply: a long listing may take a while to arrive.
    while (!socket->canReadLine()) {
        if (socket->waitForReadyRead(TimeoutMs))
            continue;
        if (socket->state() == QLocalSocket::ConnectedState) {
            *why = QStringLiteral("the hub did not answer within %1 s").arg(TimeoutMs / 1000);
            return false;
        }
        if (socket->bytesAvailable() == 0) {
            *why = QStringLiteral("the hub closed the connection without answering");
            return false;
        }
        break; // a last line without its newline
    }
    *line = socket->readLine().trimmed();
    return true;
}

int exchange(const Invocation &invocation, QJsonObject *reply, QTextStream &err)
{
    QLocalSocket socket;
    if (!connectToHub(&socket, invocation.dataDir, err))
        return NoHub;

    QByteArray line;
    QString why;
    if (!sendRequest(&socket, invocation.request)) {
        why = QStringLiteral("could not send the request: %1").arg(socket.errorString());
    } else if (readReply(&socket, &line, &why)) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (document.isObject()) {
            *reply = document.object();
            return Ok;
        }
        why = QStringLiteral("the hub's reply is not a JSON object");
    }
    err << "confab ctl: " << why << '\n';
    return Failed;
}

int report(const Invocation &invocation, const QJsonObject &reply, QTextStream &out,
           QTextStream &err)
{
    if (!reply.value(QStringLiteral("ok")).toBool()) {
        const QString code = reply.value(QStringLiteral("error")).toString();
        const QString message = reply.value(QStringLiteral("message")).toString();
        err << "confab ctl: "
            << (message.isEmpty() ? QStringLiteral("the hub refused the command") : message);
        if (!code.isEmpty())
            err << " (" << code << ')';
        err << '\n';
        return Failed;
    }

    const QJsonValue result = reply.value(QStringLiteral("result"));
    if (invocation.json)
        out << CtlFormat::compactJson(result) << '\n';
    else if (invocation.csv)
        out << CtlFormat::auditCsv(result.toArray()); // each record ends in CRLF already
    else
        out << CtlFormat::result(invocation.request, result) << '\n';
    return Ok;
}

} // namespace

QString actorName()
{
    for (const char *variable : {"USER", "LOGNAME"}) {
        const QString name = qEnvironmentVariable(variable).trimmed();
        if (!name.isEmpty())
            return name;
    }
    return QStringLiteral("ctl");
}

bool parseArguments(const QStringList &arguments, Invocation *invocation, QString *error)
{
    QCommandLineParser parser;
    addOptions(&parser);
    if (!parser.parse(QStringList(QStringLiteral("confab ctl")) + arguments))
        return fail(error, parser.errorText());

    Invocation result;
    result.help = parser.isSet(helpOption);
    if (result.help) {
        *invocation = result;
        return true;
    }

    result.json = parser.isSet(jsonOption);
    const QString dataDir = parser.value(dataDirOption);
    if (parser.isSet(dataDirOption) && dataDir.isEmpty())
        return fail(error, QStringLiteral("--data-dir needs a directory"));
    result.dataDir = dataDir.isEmpty() ? defaultDataDir() : QFileInfo(dataDir).absoluteFilePath();

    if (!parseCommand(parser, &result.request, error))
        return false;
    result.csv = parser.isSet(csvOption);
    if (parser.isSet(asOption) && parser.value(asOption).isEmpty())
        return fail(error, QStringLiteral("--as needs an operator name"));

    // Every action is audited under a person's name, so an action without --as is the
    // caller's own rather than the hub's anonymous operator_name.
    const QString command = result.request.value(QStringLiteral("command")).toString();
    if (parser.isSet(asOption))
        result.request.insert(QStringLiteral("as"), parser.value(asOption));
    else if (!readingCommands.contains(command))
        result.request.insert(QStringLiteral("as"), actorName());

    *invocation = result;
    return true;
}

QString usage()
{
    return QStringLiteral(
               "Usage: confab ctl [--data-dir DIR] [--json] [--as NAME] COMMAND ...\n"
               "\n"
               "Sends one command to the Confab hub running for DIR, through its control socket.\n"
               "\n"
               "Commands:\n"
               "  connections                      list open connections\n"
               "  rooms                            list rooms and their settings\n"
               "  users                            list online and recently seen users\n"
               "  kick USER [--connection ID] --reason TEXT\n"
               "                                   disconnect a user, or one of their connections\n"
               "  broadcast TEXT [--room ROOM]     announce to everyone, or to one room\n"
               "  room create ROOM [--topic TEXT]  create a room\n"
               "  room delete ROOM                 delete a room\n"
               "  room topic ROOM TEXT             set a room's topic (\"\" clears it)\n"
               "  room set ROOM [--max-members N] [--locked on|off] [--slow SECONDS]\n"
               "           [--password-file FILE | --no-password]\n"
               "                                   change a room's settings (0: no limit, off);\n"
               "                                   the password is the file's first line, - for\n"
               "                                   stdin\n"
               "  slow ROOM SECONDS                one message per SECONDS per user; 0 turns it "
               "off\n"
               "  ban USER [--for DURATION] [--reason TEXT]\n"
               "  ban --ip ADDRESS [--for DURATION] [--reason TEXT]\n"
               "                                   ban a name or an address and close what it\n"
               "                                   covers; without --for, until lifted\n"
               "  unban USER | unban --ip ADDRESS | unban --id N\n"
               "                                   lift a ban\n"
               "  bans                             list the bans in force\n"
               "  mute USER [--room ROOM] [--for DURATION] [--reason TEXT]\n"
               "                                   stop a user talking in one room, or anywhere\n"
               "  unmute USER [--room ROOM]        lift that mute\n"
               "  mutes                            list the mutes in force\n"
               "  delete ROOM SEQ [--reason TEXT]  delete a message; history keeps a tombstone\n"
               "  history ROOM [--before SEQ] [--after SEQ] [--limit N]\n"
               "                                   a page of a room's messages, oldest first\n"
               "                                   (the newest, or the oldest after SEQ); N <= %2\n"
               "  audit [--actor NAME] [--action ACTION] [--target TEXT] [--since TIME]\n"
               "        [--limit N] [--csv]        the moderation log, newest first\n"
               "\n"
               "Options:\n"
               "  --data-dir DIR  the hub's data directory (default: %1)\n"
               "  --json          print the hub's result as one line of JSON\n"
               "  --as NAME       the name to act under: clients see it, the audit log keeps it\n"
               "                  (default: your login name, %3)\n"
               "  -h, --help      show this help\n"
               "\n"
               "DURATION is a number and a unit, s, m, h or d: 90s, 10m, 2h, 7d, 1h30m.\n"
               "TIME is ISO 8601 (2024-05-01, 2024-05-01T09:00, local unless it names a zone)\n"
               "or a DURATION ago (--since 2h).\n"
               "TEXT is the rest of the line; put -- before a text that starts with '-'.\n"
               "Exit status: 0 done, 1 the hub refused or did not answer, 2 usage error,\n"
               "3 no hub running for the data directory.\n")
        .arg(defaultDataDir())
        .arg(Protocol::MaxHistoryLimit)
        .arg(actorName());
}

int run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    Invocation invocation;
    QString error;
    if (!parseArguments(arguments, &invocation, &error)) {
        err << "confab ctl: " << error << "\nTry 'confab ctl --help'.\n";
        err.flush();
        return Usage;
    }
    if (invocation.help) {
        out << usage();
        out.flush();
        return Ok;
    }

    QJsonObject reply;
    int code = exchange(invocation, &reply, err);
    if (code == Ok)
        code = report(invocation, reply, out, err);

    out.flush();
    err.flush();
    return code;
}

} // namespace Ctl

#include "ctl.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QTextStream>

#include "controlserver.h"
#include "ctlformat.h"
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

// The options that belong to one command each; the rest apply to every command.
const QStringList commandOptions = {connectionOption, reasonOption, roomOption, topicOption};

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

bool parseRoom(const QStringList &words, const QCommandLineParser &parser, QJsonObject *request,
               QString *error)
{
    const QString action = words.value(0);
    const QString room = words.value(1);
    if (!room.isEmpty() && words.size() == 2 && action == QLatin1String("create"))
        return parseRoomCreate(room, parser, request, error);
    if (!room.isEmpty() && words.size() == 2 && action == QLatin1String("delete"))
        return parseRoomDelete(room, parser, request, error);

    // An explicit empty TEXT ("") clears the topic, so only a missing one is an error.
    if (!room.isEmpty() && words.size() >= 3 && action == QLatin1String("topic"))
        return parseRoomTopic(room, words.mid(2), parser, request, error);

    return failUsage(error, QStringLiteral("room takes create, delete or topic and a room name"),
                     QStringLiteral("room create ROOM [--topic TEXT] | room delete ROOM | "
                                    "room topic ROOM TEXT"));
}

bool parseCommand(const QCommandLineParser &parser, QJsonObject *request, QString *error)
{
    QStringList words = parser.positionalArguments();
    if (words.isEmpty())
        return fail(error, QStringLiteral("no command given"));

    const QString command = words.takeFirst();
    if (command == QLatin1String("connections") || command == QLatin1String("rooms")
        || command == QLatin1String("users")) {
        return parseListing(command, words, parser, request, error);
    }
    if (command == QLatin1String("kick"))
        return parseKick(words, parser, request, error);
    if (command == QLatin1String("broadcast"))
        return parseBroadcast(words, parser, request, error);
    if (command == QLatin1String("room"))
        return parseRoom(words, parser, request, error);
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
    else
        out << CtlFormat::result(invocation.request, result) << '\n';
    return Ok;
}

} // namespace

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
    if (parser.isSet(asOption)) {
        if (parser.value(asOption).isEmpty())
            return fail(error, QStringLiteral("--as needs an operator name"));
        result.request.insert(QStringLiteral("as"), parser.value(asOption));
    }

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
               "  rooms                            list rooms\n"
               "  users                            list online and recently seen users\n"
               "  kick USER [--connection ID] --reason TEXT\n"
               "                                   disconnect a user, or one of their connections\n"
               "  broadcast TEXT [--room ROOM]     announce to everyone, or to one room\n"
               "  room create ROOM [--topic TEXT]  create a room\n"
               "  room delete ROOM                 delete a room\n"
               "  room topic ROOM TEXT             set a room's topic (\"\" clears it)\n"
               "\n"
               "Options:\n"
               "  --data-dir DIR  the hub's data directory (default: %1)\n"
               "  --json          print the hub's result as one line of JSON\n"
               "  --as NAME       operator name clients see for this action\n"
               "  -h, --help      show this help\n"
               "\n"
               "TEXT is the rest of the line; put -- before a text that starts with '-'.\n"
               "Exit status: 0 done, 1 the hub refused or did not answer, 2 usage error,\n"
               "3 no hub running for the data directory.\n")
        .arg(defaultDataDir());
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

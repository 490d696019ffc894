#include "protocol.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonParseError>

namespace Protocol {

namespace {

const QHash<QString, FrameType> &frameTypes()
{
    static const QHash<QString, FrameType> types = {
        {QStringLiteral("hello"), FrameType::Hello},
        {QStringLiteral("join"), FrameType::Join},
        {QStringLiteral("leave"), FrameType::Leave},
        {QStringLiteral("say"), FrameType::Say},
        {QStringLiteral("dm"), FrameType::Dm},
        {QStringLiteral("multicast"), FrameType::Multicast},
        {QStringLiteral("status"), FrameType::Status},
        {QStringLiteral("typing"), FrameType::Typing},
        {QStringLiteral("rooms"), FrameType::Rooms},
        {QStringLiteral("who"), FrameType::Who},
        {QStringLiteral("pair"), FrameType::Pair},
        {QStringLiteral("history"), FrameType::History},
    };
    return types;
}

// Reads the fields of one frame and records the first problem, so each parse function reads
// as a list of fields rather than a ladder of ifs.
class FieldReader
{
public:
    FieldReader(const QJsonObject &object, const QJsonValue &ref, ParseError *error)
        : m_object(object)
        , m_ref(ref)
        , m_error(error)
    { }

    bool ok() const { return m_ok; }

    bool has(const QString &key) const
    {
        const QJsonValue value = m_object.value(key);
        return !value.isUndefined() && !value.isNull();
    }

    QString string(const QString &key, bool required, int maxChars = -1)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull()) {
            if (required)
                fail(Error::MissingField, QStringLiteral("missing field '%1'").arg(key));
            return {};
        }
        if (!value.isString()) {
            fail(Error::BadField, QStringLiteral("field '%1' must be a string").arg(key));
            return {};
        }
        const QString text = value.toString();
        if (maxChars >= 0 && text.size() > maxChars)
            fail(Error::TooLarge,
                 QStringLiteral("field '%1' is longer than %2 characters").arg(key).arg(maxChars));
        return text;
    }

    QString text(const QString &key, int maxChars)
    {
        const QString value = string(key, true, maxChars);
        if (m_ok && value.trimmed().isEmpty())
            fail(Error::BadField, QStringLiteral("field '%1' must not be empty").arg(key));
        return value;
    }

    QString room()
    {
        const QString name = string(QStringLiteral("room"), true);
        QString why;
        if (m_ok && !isValidRoomName(name, &why))
            fail(Error::BadField, why);
        return name;
    }

    QJsonValue cid()
    {
        const QJsonValue value = m_object.value(QStringLiteral("cid"));
        if (value.isUndefined() || value.isNull())
            return QJsonValue();
        const bool shortString = value.isString() && value.toString().size() <= MaxCidChars;
        if (!shortString && !value.isDouble())
            fail(Error::BadField,
                 QStringLiteral("field 'cid' must be a number or a string of at most %1 "
                                "characters")
                     .arg(MaxCidChars));
        return value;
    }

    // A seq: a whole number from 0 to 2^53, the range a JSON double holds exactly.
    quint64 seq(const QString &key, const QJsonObject &object)
    {
        const QJsonValue value = object.value(key);
        if (value.isUndefined() || value.isNull())
            return 0;
        const double number = value.toDouble(-1);
        if (!value.isDouble() || number < 0 || number > 9007199254740992.0
            || number != double(quint64(number))) {
            fail(Error::BadField, QStringLiteral("field '%1' must be a seq number").arg(key));
            return 0;
        }
        return quint64(number);
    }

    quint64 seq(const QString &key) { return seq(key, m_object); }

    int bounded(const QString &key, int fallback, int low, int high)
    {
        const int value = integer(key, fallback);
        if (m_ok && (value < low || value > high))
            fail(Error::BadField,
                 QStringLiteral("field '%1' must be from %2 to %3").arg(key).arg(low).arg(high));
        return value;
    }

    // join.since: {seq, epoch}
    void since(ClientFrame *frame)
    {
        const QJsonValue value = m_object.value(QStringLiteral("since"));
        if (value.isUndefined() || value.isNull())
            return;
        const QJsonObject since = value.toObject();
        const QJsonValue epoch = since.value(QStringLiteral("epoch"));
        if (!value.isObject() || !epoch.isString() || epoch.toString().size() > 64) {
            fail(Error::BadField,
                 QStringLiteral("field 'since' must be {seq, epoch} from an earlier joined"));
            return;
        }
        frame->hasSince = true;
        frame->sinceEpoch = epoch.toString();
        frame->sinceSeq = seq(QStringLiteral("seq"), since);
    }

    int integer(const QString &key, int fallback)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull())
            return fallback;
        const double number = value.toDouble(-1);
        const bool inRange = number >= -1e9 && number <= 1e9; // int(number) is defined
        if (!value.isDouble() || !inRange || number != int(number)) {
            fail(Error::BadField, QStringLiteral("field '%1' must be an integer").arg(key));
            return fallback;
        }
        return int(number);
    }

    QStringList stringList(const QString &key, int maxItems)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull()) {
            fail(Error::MissingField, QStringLiteral("missing field '%1'").arg(key));
            return {};
        }
        if (!value.isArray()) {
            fail(Error::BadField, QStringLiteral("field '%1' must be a list of names").arg(key));
            return {};
        }
        const QJsonArray array = value.toArray();
        if (array.isEmpty() || array.size() > maxItems) {
            fail(array.isEmpty() ? Error::BadField : Error::TooLarge,
                 QStringLiteral("field '%1' must list 1 to %2 users").arg(key).arg(maxItems));
            return {};
        }
        QStringList names;
        for (const QJsonValue &item : array) {
            if (!item.isString() || item.toString().isEmpty()) {
                fail(Error::BadField, QStringLiteral("field '%1' must hold user names").arg(key));
                return {};
            }
            names.append(item.toString());
        }
        return names;
    }

    void fail(const QString &code, const QString &message)
    {
        if (!m_ok)
            return;
        m_ok = false;
        *m_error = {code, message, m_ref};
    }

private:
    const QJsonObject &m_object;
    QJsonValue m_ref;
    ParseError *m_error;
    bool m_ok = true;
};

void readFields(FieldReader &in, ClientFrame *frame, const ParseLimits &limits)
{
    switch (frame->type) {
    case FrameType::Hello:
        frame->pairing = in.string(QStringLiteral("pairing"), false, 32);
        frame->user = in.string(QStringLiteral("user"), frame->pairing.isEmpty());
        frame->device = in.string(QStringLiteral("device"), false, MaxDeviceChars);
        frame->password = in.string(QStringLiteral("password"), false, 1024);
        frame->token = in.string(QStringLiteral("token"), false, 256);
        frame->protocol = in.integer(QStringLiteral("protocol"), Version);
        break;
    case FrameType::Join:
        frame->room = in.room();
        frame->historyCount = in.bounded(QStringLiteral("history"), 0, 0, MaxJoinHistory);
        in.since(frame);
        frame->roomPassword = in.string(QStringLiteral("password"), false, MaxPasswordChars);
        break;
    case FrameType::History:
        frame->room = in.room();
        frame->beforeSeq = in.seq(QStringLiteral("before"));
        frame->afterSeq = in.seq(QStringLiteral("after"));
        frame->hasAfter = in.has(QStringLiteral("after"));
        frame->limit = in.bounded(QStringLiteral("limit"), DefaultHistoryLimit, 1, MaxHistoryLimit);
        break;
    case FrameType::Leave:
    case FrameType::Typing:
        frame->room = in.room();
        break;
    case FrameType::Say:
        frame->room = in.room();
        frame->text = in.text(QStringLiteral("text"), limits.maxTextChars);
        frame->cid = in.cid();
        break;
    case FrameType::Dm:
        frame->to = in.string(QStringLiteral("to"), true);
        frame->text = in.text(QStringLiteral("text"), limits.maxTextChars);
        frame->cid = in.cid();
        break;
    case FrameType::Multicast:
        frame->toUsers = in.stringList(QStringLiteral("to"), limits.maxMulticastUsers);
        frame->text = in.text(QStringLiteral("text"), limits.maxTextChars);
        frame->cid = in.cid();
        break;
    case FrameType::Status:
        frame->status = in.string(QStringLiteral("status"), true);
        if (in.ok() && !isValidStatus(frame->status))
            in.fail(Error::BadField, QStringLiteral("status must be online, away or busy"));
        break;
    case FrameType::Who:
        frame->room = in.room();
        frame->after = in.string(QStringLiteral("after"), false, MaxUserChars * 4);
        break;
    case FrameType::Rooms:
    case FrameType::Pair:
        break;
    }
}

bool isNameChar(char32_t c, bool allowSpace, bool allowHash)
{
    // Marks (accents, vowel signs) belong to the letter before them: without them names in
    // Devanagari, Thai, Tamil and many more could not be written.
    if (QChar::isLetter(c) || QChar::isDigit(c) || QChar::isMark(c))
        return true;
    if (c == U'.' || c == U'_' || c == U'-')
        return true;
    return (allowSpace && c == U' ') || (allowHash && c == U'#');
}

} // namespace

bool parseClientFrame(const QByteArray &utf8, const ParseLimits &limits, ClientFrame *frame,
                      ParseError *error)
{
    QJsonParseError jsonError;
    const QJsonDocument document = QJsonDocument::fromJson(utf8, &jsonError);
    if (jsonError.error != QJsonParseError::NoError || !document.isObject()) {
        const QString why = jsonError.error != QJsonParseError::NoError
                                ? jsonError.errorString()
                                : QStringLiteral("a frame must be one JSON object");
        *error = {Error::BadJson, why, QJsonValue()};
        return false;
    }

    const QJsonObject object = document.object();
    const QJsonValue type = object.value(QStringLiteral("type"));
    if (!type.isString()) {
        *error = {type.isUndefined() ? Error::MissingField : Error::BadField,
                  QStringLiteral("every frame needs a string field 'type'"), QJsonValue()};
        return false;
    }

    const auto found = frameTypes().constFind(type.toString());
    if (found == frameTypes().constEnd()) {
        *error = {Error::UnknownType,
                  QStringLiteral("unknown frame type '%1'").arg(type.toString()), type};
        return false;
    }

    frame->type = found.value();
    frame->typeName = type.toString();

    // Errors name the client's cid when it gave one, else the frame type.
    const QJsonValue cid = object.value(QStringLiteral("cid"));
    const bool cidUsable =
        cid.isDouble() || (cid.isString() && cid.toString().size() <= MaxCidChars);
    FieldReader in(object, cidUsable ? cid : type, error);
    readFields(in, frame, limits);
    return in.ok();
}

bool isValidUserName(const QString &name, QString *why)
{
    auto reject = [why](const QString &reason) {
        if (why)
            *why = reason;
        return false;
    };

    const QList<uint> codePoints = name.normalized(QString::NormalizationForm_C).toUcs4();
    if (codePoints.isEmpty() || codePoints.size() > MaxUserChars)
        return reject(QStringLiteral("a name has 1 to %1 characters").arg(MaxUserChars));

    if (codePoints.first() == U' ' || codePoints.last() == U' ')
        return reject(QStringLiteral("a name cannot start or end with a space"));
    if (QChar::isMark(codePoints.first()))
        return reject(QStringLiteral("a name cannot start with a combining mark"));

    for (uint c : codePoints) {
        if (!isNameChar(c, true, false))
            return reject(QStringLiteral("a name may hold letters, digits, spaces, '.', '_' "
                                         "and '-' only"));
    }

    static const QStringList reserved = {QStringLiteral("operator"), QStringLiteral("system"),
                                         QStringLiteral("admin"), QStringLiteral("confab")};
    if (reserved.contains(nameKey(name)))
        return reject(QStringLiteral("'%1' is reserved").arg(name));

    return true;
}

bool isValidRoomName(const QString &name, QString *why)
{
    const QList<uint> codePoints = name.normalized(QString::NormalizationForm_C).toUcs4();
    bool ok = !codePoints.isEmpty() && codePoints.size() <= MaxRoomChars;
    for (uint c : codePoints)
        ok = ok && isNameChar(c, false, true);

    if (!ok && why)
        *why = QStringLiteral("a room name has 1 to %1 letters, digits, '.', '_', '-' or '#'")
                   .arg(MaxRoomChars);
    return ok;
}

QString nameKey(const QString &name)
{
    return name.normalized(QString::NormalizationForm_C).toCaseFolded();
}

bool isValidStatus(const QString &status)
{
    return status == QLatin1String("online") || status == QLatin1String("away")
           || status == QLatin1String("busy");
}

QString timestamp(const QDateTime &utc)
{
    return utc.toUTC().toString(Qt::ISODateWithMs);
}

QByteArray truncateUtf8(const QString &text, int maxBytes)
{
    QByteArray bytes = text.toUtf8();
    if (bytes.size() <= maxBytes)
        return bytes;

    // Step back over UTF-8 continuation bytes (10xxxxxx) so the cut lands before a lead byte.
    int cut = maxBytes;
    while (cut > 0 && (uchar(bytes.at(cut)) & 0xC0) == 0x80)
        --cut;
    bytes.truncate(cut);
    return bytes;
}

QByteArray encode(const QJsonObject &frame)
{
    return QJsonDocument(frame).toJson(QJsonDocument::Compact);
}

QJsonObject errorObject(const QString &code, const QString &message, const QJsonValue &ref)
{
    QJsonObject frame {{QStringLiteral("type"), QStringLiteral("error")},
                       {QStringLiteral("code"), code},
                       {QStringLiteral("message"), message}};
    if (!ref.isNull() && !ref.isUndefined())
        frame.insert(QStringLiteral("ref"), ref);
    return frame;
}

QByteArray errorFrame(const QString &code, const QString &message, const QJsonValue &ref)
{
    return encode(errorObject(code, message, ref));
}

QJsonValue timestampOrNull(const QDateTime &utc)
{
    return utc.isValid() ? QJsonValue(timestamp(utc)) : QJsonValue(QJsonValue::Null);
}

} // namespace Protocol

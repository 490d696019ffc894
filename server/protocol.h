#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

// Wire protocol v1: parsing and validation of client frames, and construction of hub frames.
// docs/PROTOCOL.md is the reference; this file and that one change together.
namespace Protocol {

constexpr int Version = 1;
constexpr int MaxUserChars = 32;
constexpr int MaxRoomChars = 64;
constexpr int MaxDeviceChars = 64;
constexpr int MaxTopicChars = 500;
constexpr int MaxCidChars = 64;
constexpr int MaxReasonChars = 500;
constexpr int MaxPasswordChars = 1024;
constexpr int MaxJoinHistory = 100;
constexpr int MaxHistoryLimit = 200;
constexpr int DefaultHistoryLimit = 50;

// Close codes (RFC 6455 section 7.4 for 1xxx, ours in the 4000 range).
enum CloseCode : quint16 {
    CloseGoingAway = 1001,
    CloseTooLarge = 1009,
    CloseKicked = 4001,
    CloseReplaced = 4002,
    CloseBadPassword = 4003,
    CloseSlowConsumer = 4008,
    CloseNameTaken = 4009,
    CloseBadName = 4010,
    CloseUnsupportedProtocol = 4011,
    CloseHelloTimeout = 4012,
    CloseBanned = 4013,
    CloseHeartbeatTimeout = 4014,
    CloseBadPairing = 4015,
};

// Error codes, as sent in error frames.
namespace Error {
inline const QString BadJson = QStringLiteral("bad_json");
inline const QString UnknownType = QStringLiteral("unknown_type");
inline const QString MissingField = QStringLiteral("missing_field");
inline const QString BadField = QStringLiteral("bad_field");
inline const QString NotHello = QStringLiteral("not_hello");
inline const QString AlreadyHello = QStringLiteral("already_hello");
inline const QString BadPassword = QStringLiteral("bad_password");
inline const QString BadName = QStringLiteral("bad_name");
inline const QString NameTaken = QStringLiteral("name_taken");
inline const QString UnsupportedProtocol = QStringLiteral("unsupported_protocol");
inline const QString NoSuchRoom = QStringLiteral("no_such_room");
inline const QString NotInRoom = QStringLiteral("not_in_room");
inline const QString NoSuchUser = QStringLiteral("no_such_user");
inline const QString TooLarge = QStringLiteral("too_large");
inline const QString RoomExists = QStringLiteral("room_exists");
inline const QString BadRoom = QStringLiteral("bad_room");
inline const QString BadPairing = QStringLiteral("bad_pairing");
inline const QString Banned = QStringLiteral("banned");
inline const QString Muted = QStringLiteral("muted");
inline const QString SlowMode = QStringLiteral("slow_mode");
inline const QString RoomFull = QStringLiteral("room_full");
inline const QString BadRoomPassword = QStringLiteral("bad_room_password");
inline const QString RoomLocked = QStringLiteral("room_locked");
inline const QString NotStored = QStringLiteral("not_stored"); // the database refused a write
inline const QString NoSuchMessage = QStringLiteral("no_such_message"); // operator commands only
inline const QString NoSuchBan = QStringLiteral("no_such_ban"); // operator commands only
inline const QString NoSuchMute = QStringLiteral("no_such_mute"); // operator commands only
} // namespace Error

enum class FrameType {
    Hello,
    Join,
    Leave,
    Say,
    Dm,
    Multicast,
    Status,
    Typing,
    Rooms,
    Who,
    Pair,
    History,
};

// One parsed client frame. Only the fields of its type are set.
struct ClientFrame
{
    FrameType type = FrameType::Hello;
    QString typeName;

    // hello
    QString user;
    QString device;
    QString password;
    QString token;
    QString pairing; // a code from another device's `pair`, instead of user and token
    int protocol = Version;

    QString room; // join, leave, say, typing, who
    QString text; // say, dm, multicast
    QJsonValue cid; // say, dm, multicast: string or number, echoed in ack
    QString to; // dm
    QStringList toUsers; // multicast
    QString status; // status
    QString after; // who: page cursor

    // join
    int historyCount = 0; // messages to send with joined
    bool hasSince = false;
    quint64 sinceSeq = 0;
    QString sinceEpoch;
    QString roomPassword;

    // history
    quint64 beforeSeq = 0; // 0: no bound
    quint64 afterSeq = 0;
    bool hasAfter = false; // after: 0 asks for the oldest page
    int limit = 50;
};

struct ParseError
{
    QString code;
    QString message;
    QJsonValue ref; // cid or frame type; null when unknown
};

struct ParseLimits
{
    int maxTextChars = 4000;
    int maxMulticastUsers = 50;
};

// Parses one text frame. Returns false and fills error when the frame is not valid v1 input.
bool parseClientFrame(const QByteArray &utf8, const ParseLimits &limits, ClientFrame *frame,
                      ParseError *error);

// A user name: 1-32 code points of letters, digits, space, '.', '_', '-', not starting or
// ending with a space, not reserved. why says what is wrong, in words for the user.
bool isValidUserName(const QString &name, QString *why = nullptr);

// A room name: 1-64 code points of letters, digits, '.', '_', '-', '#', no spaces.
bool isValidRoomName(const QString &name, QString *why = nullptr);

// Names (users and rooms) compare case-insensitively, after Unicode NFC normalisation.
QString nameKey(const QString &name);

bool isValidStatus(const QString &status);

QString timestamp(const QDateTime &utc);

// Cuts text to at most maxBytes of UTF-8 without splitting a character.
QByteArray truncateUtf8(const QString &text, int maxBytes);

// Hub frames, each a compact JSON object, UTF-8.
QByteArray encode(const QJsonObject &frame);
QByteArray errorFrame(const QString &code, const QString &message, const QJsonValue &ref = {});
// The same as an object, for errors that carry more fields (until, retry_after_s).
QJsonObject errorObject(const QString &code, const QString &message, const QJsonValue &ref = {});
// A time, or null for "never" (a permanent ban or mute).
QJsonValue timestampOrNull(const QDateTime &utc);

} // namespace Protocol

#include <memory>

#include "ctl.h"

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QMutex>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QThread>
#include <QWebSocket>

#include "controlserver.h"
#include "ctlformat.h"
#include "hubservice.h"

namespace {

// Test rows spell argument lists as plain literals; QT_NO_CAST_FROM_ASCII wants them converted.
QStringList words(std::initializer_list<const char *> items)
{
    QStringList list;
    for (const char *item : items)
        list.append(QString::fromUtf8(item));
    return list;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// A chat client on a real QWebSocket that keeps every frame the hub sends. tst_ctl links the
// app and the engine only, so it has its own rather than tests/server's TestClient.
class Client
{
public:
    explicit Client(quint16 port)
    {
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, &m_socket,
                         [this](const QString &text) {
                             m_frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
                         });
        m_socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port)));
    }

    void send(const QJsonObject &frame)
    {
        m_socket.sendTextMessage(QString::fromUtf8(compact(frame)));
    }

    // Waits for and removes the first frame of this type (and room, when given); {} if none.
    QJsonObject take(const QString &type, const QString &room = {})
    {
        QJsonObject found;
        (void)QTest::qWaitFor( // on a timeout `found` stays empty for the caller
            [&] {
                for (qsizetype i = 0; i < m_frames.size(); ++i) {
                    const QJsonObject &f = m_frames.at(i);
                    if (f.value(QStringLiteral("type")).toString() == type
                        && (room.isEmpty() || f.value(QStringLiteral("room")).toString() == room)) {
                        found = m_frames.takeAt(i);
                        return true;
                    }
                }
                return false;
            },
            5000);
        return found;
    }

    QString hello(const QString &user, const QString &device, const QString &token = {})
    {
        // QWebSocket drops what is sent before the handshake is done.
        if (!QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; },
                             5000))
            return {};
        QJsonObject hello {{QStringLiteral("type"), QStringLiteral("hello")},
                           {QStringLiteral("user"), user},
                           {QStringLiteral("device"), device}};
        if (!token.isEmpty())
            hello.insert(QStringLiteral("token"), token);
        send(hello);
        return take(QStringLiteral("welcome")).value(QStringLiteral("token")).toString();
    }

    // The joined frame, or the error that refused the join.
    QJsonObject join(const QString &room)
    {
        send({{QStringLiteral("type"), QStringLiteral("join")}, {QStringLiteral("room"), room}});
        QJsonObject answer;
        (void)QTest::qWaitFor(
            [&] {
                for (const char *type : {"joined", "error"}) {
                    answer = peek(QLatin1String(type));
                    if (!answer.isEmpty())
                        return true;
                }
                return false;
            },
            5000);
        return take(answer.value(QStringLiteral("type")).toString());
    }

    void say(const QString &room, const QString &text)
    {
        send({{QStringLiteral("type"), QStringLiteral("say")},
              {QStringLiteral("room"), room},
              {QStringLiteral("text"), text},
              {QStringLiteral("cid"), text}});
        take(QStringLiteral("ack"));
    }

    bool waitForClosed()
    {
        return QTest::qWaitFor(
            [this] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, 5000);
    }

    int closeCode() const { return m_socket.closeCode(); }

private:
    QJsonObject peek(const QString &type) const
    {
        for (const QJsonObject &f : m_frames) {
            if (f.value(QStringLiteral("type")).toString() == type)
                return f;
        }
        return {};
    }

    QWebSocket m_socket;
    QList<QJsonObject> m_frames;
};

} // namespace

// Stands in for the hub's control socket, on its own thread because the ctl client blocks.
class FakeHub : public QObject
{
    Q_OBJECT

public:
    explicit FakeHub(const QByteArray &reply)
        : m_reply(reply)
    { }

    bool listen(const QString &path)
    {
        m_server = new QLocalServer(this);
        connect(m_server, &QLocalServer::newConnection, this, &FakeHub::accept);
        return m_server->listen(path);
    }

    QByteArray request() const
    {
        QMutexLocker lock(&m_mutex);
        return m_request;
    }

private:
    void accept()
    {
        while (QLocalSocket *socket = m_server->nextPendingConnection())
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] { answer(socket); });
    }

    // An empty reply closes the connection without answering.
    void answer(QLocalSocket *socket)
    {
        if (!socket->canReadLine())
            return;
        {
            QMutexLocker lock(&m_mutex);
            m_request = socket->readLine().trimmed();
        }
        if (!m_reply.isEmpty())
            socket->write(m_reply + '\n');
        socket->disconnectFromServer();
    }

    QLocalServer *m_server = nullptr;
    QByteArray m_reply;
    mutable QMutex m_mutex;
    QByteArray m_request;
};

class TestCtl : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void request_data();
    void request();
    void usageErrors_data();
    void usageErrors();
    void exchange_data();
    void exchange();
    void noHub();
    void human_data();
    void human();
    void table();
    void units();

    void actorName();
    void roomPassword();
    void moderationHuman_data();
    void moderationHuman();
    void csvField_data();
    void csvField();
    void auditCsv();

    // Against a real hub, through HubService and its control socket.
    void banClosesEveryDevice();
    void muteIsListed();
    void auditRecordsTheActor();
    void historyAndDelete();
    void roomSetMaxMembers();
    void refusals_data();
    void refusals();
    void rawRequests_data();
    void rawRequests();

private:
    void startHub(const QByteArray &reply);
    quint16 startRealHub();
    int run(const QStringList &arguments);
    int runClean(const QStringList &arguments); // clears the last output first

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HubService> m_service;
    QThread m_thread;
    FakeHub *m_hub = nullptr;
    QString m_out;
    QString m_err;
};

void TestCtl::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(QStringLiteral("confab"));

    // Acting commands go under the caller's login name when --as is absent.
    qputenv("USER", "tester");
    QLoggingCategory::setFilterRules(QStringLiteral("confab.*.info=false"));
}

void TestCtl::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_out.clear();
    m_err.clear();
}

void TestCtl::cleanup()
{
    if (m_service) {
        m_service->stop();
        m_service.reset();
    }
    if (m_hub) {
        QMetaObject::invokeMethod(
            m_hub, [this] { delete m_hub; }, Qt::BlockingQueuedConnection);
        m_hub = nullptr;
    }
    m_thread.quit();
    m_thread.wait();
}

void TestCtl::startHub(const QByteArray &reply)
{
    m_hub = new FakeHub(reply);
    m_hub->moveToThread(&m_thread);
    m_thread.start();

    bool listening = false;
    const QString path = controlSocketPath(m_dir->path());
    QMetaObject::invokeMethod(
        m_hub, [&] { listening = m_hub->listen(path); }, Qt::BlockingQueuedConnection);
    QVERIFY(listening);
}

quint16 TestCtl::startRealHub()
{
    HubConfig config;
    config.listenAddress = QHostAddress(QHostAddress::LocalHost);
    config.port = 0;
    config.dataDir = m_dir->path();
    config.rooms = {QStringLiteral("general"), QStringLiteral("ops")};

    m_service = std::make_unique<HubService>();
    if (!m_service->start(config)) {
        qWarning().noquote() << m_service->errorString();
        return 0;
    }
    return m_service->port();
}

int TestCtl::runClean(const QStringList &arguments)
{
    m_out.clear();
    m_err.clear();
    return run(arguments);
}

int TestCtl::run(const QStringList &arguments)
{
    QTextStream out(&m_out);
    QTextStream err(&m_err);
    return Ctl::run(QStringList {QStringLiteral("--data-dir"), m_dir->path()} + arguments, out,
                    err);
}

void TestCtl::request_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("request");

    QTest::addRow("a listing") << words({"connections"}) << R"({"command":"connections"})";
    QTest::addRow("--as goes on the wire")
        << words({"--as", "Mod", "users"}) << R"({"as":"Mod","command":"users"})";
    QTest::addRow("kick with a reason")
        << words({"kick", "alice", "--reason", "spam"})
        << R"({"as":"tester","command":"kick","reason":"spam","user":"alice"})";
    QTest::addRow("kick one connection, options first")
        << words({"--reason", "stale", "--connection", "42", "kick", "bob"})
        << R"({"as":"tester","command":"kick","connection":42,"reason":"stale","user":"bob"})";
    QTest::addRow("broadcast joins the rest of the line")
        << words({"broadcast", "back", "in", "5"})
        << R"({"as":"tester","command":"broadcast","text":"back in 5"})";
    QTest::addRow("broadcast to one room, text after --")
        << words({"broadcast", "--room", "ops", "--", "-1 min"})
        << R"({"as":"tester","command":"broadcast","room":"ops","text":"-1 min"})";
    QTest::addRow("room create with a topic")
        << words({"room", "create", "ops", "--topic", "on call"})
        << R"({"as":"tester","command":"room.create","room":"ops","topic":"on call"})";
    QTest::addRow("room delete") << words({"room", "delete", "ops"})
                                 << R"({"as":"tester","command":"room.delete","room":"ops"})";
    QTest::addRow("room topic joins the rest of the line")
        << words({"room", "topic", "ops", "who", "is", "on"})
        << R"({"as":"tester","command":"room.topic","room":"ops","topic":"who is on"})";
    QTest::addRow("an empty topic clears it")
        << words({"room", "topic", "ops", ""})
        << R"({"as":"tester","command":"room.topic","room":"ops","topic":""})";

    QTest::addRow("--as wins over the login name")
        << words({"--as", "Mod", "kick", "alice", "--reason", "x"})
        << R"({"as":"Mod","command":"kick","reason":"x","user":"alice"})";
    QTest::addRow("ban a user for a time")
        << words({"ban", "alice", "--for", "2h", "--reason", "spam"})
        << R"({"as":"tester","command":"ban","duration_s":7200,"reason":"spam","user":"alice"})";
    QTest::addRow("ban an address until lifted")
        << words({"ban", "--ip", "10.0.0.5"})
        << R"({"address":"10.0.0.5","as":"tester","command":"ban"})";
    QTest::addRow("units add up") << words({"ban", "bob", "--for", "1d1h1m1s"})
                                  << R"({"as":"tester","command":"ban","duration_s":90061,)"
                                     R"("user":"bob"})";
    QTest::addRow("unban a user") << words({"unban", "alice"})
                                  << R"({"as":"tester","command":"unban","user":"alice"})";
    QTest::addRow("unban an address") << words({"unban", "--ip", "::1"})
                                      << R"({"address":"::1","as":"tester","command":"unban"})";
    QTest::addRow("unban by id") << words({"unban", "--id", "7"})
                                 << R"({"as":"tester","command":"unban","id":7})";
    QTest::addRow("bans only reads") << words({"bans"}) << R"({"command":"bans"})";
    QTest::addRow("mutes only reads") << words({"mutes"}) << R"({"command":"mutes"})";
    QTest::addRow("mute in one room")
        << words({"mute", "bob", "--room", "general", "--for", "90s"})
        << R"({"as":"tester","command":"mute","duration_s":90,"room":"general","user":"bob"})";
    QTest::addRow("mute hub-wide with a reason")
        << words({"mute", "bob", "--reason", "cool off"})
        << R"({"as":"tester","command":"mute","reason":"cool off","user":"bob"})";
    QTest::addRow("unmute in one room")
        << words({"unmute", "bob", "--room", "general"})
        << R"({"as":"tester","command":"unmute","room":"general","user":"bob"})";
    QTest::addRow("slow is a room setting")
        << words({"slow", "general", "10"})
        << R"({"as":"tester","command":"room.set","room":"general","slow_mode_s":10})";
    QTest::addRow("slow 0 turns it off")
        << words({"slow", "general", "0"})
        << R"({"as":"tester","command":"room.set","room":"general","slow_mode_s":0})";
    QTest::addRow("room set, every setting but the password file")
        << words({"room", "set", "ops", "--max-members", "5", "--locked", "on", "--slow", "3",
                  "--no-password"})
        << R"({"as":"tester","command":"room.set","locked":true,"max_members":5,"password":"",)"
           R"("room":"ops","slow_mode_s":3})";
    QTest::addRow("room set unlocks") << words({"room", "set", "ops", "--locked", "off"})
                                      << R"({"as":"tester","command":"room.set","locked":false,)"
                                         R"("room":"ops"})";
    QTest::addRow("delete a message")
        << words({"delete", "general", "42", "--reason", "oops"})
        << R"({"as":"tester","command":"message.delete","reason":"oops","room":"general",)"
           R"("seq":42})";
    QTest::addRow("history only reads")
        << words({"history", "general", "--before", "10", "--limit", "5"})
        << R"({"before":10,"command":"history","limit":5,"room":"general"})";
    QTest::addRow("audit filters")
        << words({"audit", "--actor", "ann", "--action", "ban", "--target", "al", "--limit", "3"})
        << R"({"action":"ban","actor":"ann","command":"audit","limit":3,"target":"al"})";
    QTest::addRow("audit --since an ISO time in UTC")
        << words({"audit", "--since", "2024-05-01T09:00:00Z"})
        << R"({"command":"audit","since":"2024-05-01T09:00:00.000Z"})";
}

void TestCtl::request()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, request);

    Ctl::Invocation invocation;
    QString error;
    QVERIFY2(Ctl::parseArguments(arguments, &invocation, &error), qPrintable(error));
    QCOMPARE(QString::fromUtf8(QJsonDocument(invocation.request).toJson(QJsonDocument::Compact)),
             request);
}

void TestCtl::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::addRow("no command") << QStringList() << "no command given";
    QTest::addRow("an unknown command") << words({"reboot"}) << "unknown command 'reboot'";
    QTest::addRow("an unknown option") << words({"rooms", "--force"}) << "Unknown option";
    QTest::addRow("a listing with an argument")
        << words({"rooms", "general"}) << "unexpected argument 'general'";
    QTest::addRow("an option of another command")
        << words({"rooms", "--reason", "x"}) << "--reason does not apply here";
    QTest::addRow("kick without a reason") << words({"kick", "alice"}) << "kick needs --reason";
    QTest::addRow("kick without a user")
        << words({"kick", "--reason", "x"}) << "kick takes one user name";
    QTest::addRow("kick with two users")
        << words({"kick", "alice", "bob", "--reason", "x"}) << "kick takes one user name";
    QTest::addRow("a connection id that is not a number")
        << words({"kick", "alice", "--reason", "x", "--connection", "first"})
        << "--connection takes a connection id";
    QTest::addRow("broadcast without a text") << words({"broadcast"}) << "broadcast needs a text";
    QTest::addRow("room without an action") << words({"room"}) << "room takes create";
    QTest::addRow("room create without a name") << words({"room", "create"}) << "room takes create";
    QTest::addRow("room topic without a text")
        << words({"room", "topic", "ops"}) << "room takes create";
    QTest::addRow("--topic on room delete")
        << words({"room", "delete", "ops", "--topic", "x"}) << "--topic does not apply here";
    QTest::addRow("an empty --as") << words({"--as", "", "rooms"}) << "--as needs";

    QTest::addRow("a duration with an unknown unit")
        << words({"ban", "alice", "--for", "5y"}) << "--for: '5y' is not a duration";
    QTest::addRow("a duration without a unit")
        << words({"mute", "alice", "--for", "90"}) << "--for: '90' is not a duration";
    QTest::addRow("a duration of nothing")
        << words({"ban", "alice", "--for", "0s"}) << "a duration is from 1s";
    QTest::addRow("a duration past a century")
        << words({"ban", "alice", "--for", "36501d"}) << "a duration is from 1s";
    QTest::addRow("ban without a target") << words({"ban"}) << "ban takes one user name";
    QTest::addRow("ban of a user and an address")
        << words({"ban", "alice", "--ip", "10.0.0.1"}) << "ban takes one user name";
    QTest::addRow("--connection on ban")
        << words({"ban", "alice", "--connection", "3"}) << "--connection does not apply here";
    QTest::addRow("unban two ways at once")
        << words({"unban", "alice", "--id", "3"}) << "unban takes one user name, --ip or --id";
    QTest::addRow("unban --id that is not a number")
        << words({"unban", "--id", "x"}) << "--id takes a ban id";
    QTest::addRow("mute two users") << words({"mute", "a", "b"}) << "mute takes one user name";
    QTest::addRow("--for on unmute")
        << words({"unmute", "bob", "--for", "1h"}) << "--for does not apply here";
    QTest::addRow("slow without seconds") << words({"slow", "general"}) << "slow takes a room";
    QTest::addRow("slow with a word")
        << words({"slow", "general", "fast"}) << "'fast' is not a number of seconds";
    QTest::addRow("room set without a setting")
        << words({"room", "set", "ops"}) << "room set needs at least one setting";
    QTest::addRow("room set --locked maybe")
        << words({"room", "set", "ops", "--locked", "maybe"}) << "--locked takes on or off";
    QTest::addRow("room set with a negative limit")
        << words({"room", "set", "ops", "--max-members", "-1"}) << "--max-members takes a number";
    QTest::addRow("a password from a file and none at once")
        << words({"room", "set", "ops", "--password-file", "x", "--no-password"})
        << "contradict each other";
    QTest::addRow("a password file that is not there")
        << words({"room", "set", "ops", "--password-file", "/nonexistent/pw"})
        << "--password-file: cannot read /nonexistent/pw";
    QTest::addRow("--slow on room create")
        << words({"room", "create", "x", "--slow", "3"}) << "--slow does not apply here";
    QTest::addRow("delete with a seq that is not a number")
        << words({"delete", "general", "last"}) << "'last' is not a seq";
    QTest::addRow("delete seq 0") << words({"delete", "general", "0"}) << "'0' is not a seq";
    QTest::addRow("delete without a seq")
        << words({"delete", "general"}) << "delete takes a room and a message's seq";
    QTest::addRow("history without a room") << words({"history"}) << "history takes one room";
    QTest::addRow("history --before a word")
        << words({"history", "general", "--before", "x"}) << "--before and --after take a seq";
    QTest::addRow("history --limit past a page")
        << words({"history", "general", "--limit", "201"}) << "--limit is from 1 to 200";
    QTest::addRow("audit --since nonsense")
        << words({"audit", "--since", "yesterday"}) << "--since takes an ISO 8601 time";
    QTest::addRow("--csv on bans") << words({"bans", "--csv"}) << "--csv does not apply here";
}

void TestCtl::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);

    QCOMPARE(run(arguments), int(Ctl::Usage));
    QVERIFY2(m_err.startsWith(QLatin1String("confab ctl: ")), qPrintable(m_err));
    QVERIFY2(m_err.contains(message), qPrintable(m_err));
    QVERIFY(m_out.isEmpty());
}

void TestCtl::exchange_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("reply");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");

    QTest::addRow("an action prints one line")
        << words({"kick", "alice", "--reason", "spam"})
        << QByteArray(R"({"ok":true,"result":{"closed":2}})") << int(Ctl::Ok)
        << "kicked alice: 2 connections closed\n"
        << "";
    QTest::addRow("--json prints the result as it came")
        << words({"--json", "rooms"})
        << QByteArray(R"({"ok":true,"result":[{"count":3,"room":"general","seq":9,"topic":""}]})")
        << int(Ctl::Ok) << "[{\"count\":3,\"room\":\"general\",\"seq\":9,\"topic\":\"\"}]\n"
        << "";
    QTest::addRow("a hub error goes to stderr with exit 1")
        << words({"room", "delete", "nope"})
        << QByteArray(R"({"ok":false,"error":"no_such_room","message":"there is no room nope"})")
        << int(Ctl::Failed) << ""
        << "confab ctl: there is no room nope (no_such_room)\n";
    QTest::addRow("a hub that hangs up without answering")
        << words({"rooms"}) << QByteArray() << int(Ctl::Failed) << ""
        << "confab ctl: the hub closed the connection without answering\n";
    QTest::addRow("a reply that is not JSON")
        << words({"rooms"}) << QByteArray("hello") << int(Ctl::Failed) << ""
        << "confab ctl: the hub's reply is not a JSON object\n";
}

void TestCtl::exchange()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, reply);
    QFETCH(int, exitCode);
    QFETCH(QString, out);
    QFETCH(QString, err);

    startHub(reply);
    QCOMPARE(run(arguments), exitCode);
    QCOMPARE(m_out, out);
    QCOMPARE(m_err, err);

    Ctl::Invocation invocation;
    QString error;
    QVERIFY(Ctl::parseArguments(arguments, &invocation, &error));
    QCOMPARE(m_hub->request(), QJsonDocument(invocation.request).toJson(QJsonDocument::Compact));
}

void TestCtl::noHub()
{
    QCOMPARE(run({QStringLiteral("rooms")}), int(Ctl::NoHub));
    QCOMPARE(m_err, QStringLiteral("confab ctl: no Confab hub is running for data directory %1\n")
                        .arg(m_dir->path()));

#ifdef Q_OS_UNIX
    // A socket file nobody listens on any more, as a hub that was killed leaves it.
    const QString path = controlSocketPath(m_dir->path());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    qstrncpy(address.sun_path, QFile::encodeName(path).constData(), sizeof(address.sun_path));
    QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
    ::close(fd);
    QVERIFY(QFileInfo::exists(path));

    m_err.clear();
    QCOMPARE(run({QStringLiteral("rooms")}), int(Ctl::NoHub));
    QVERIFY2(m_err.contains(QLatin1String("no Confab hub is running")), qPrintable(m_err));
#endif
}

void TestCtl::human_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("result");
    QTest::addColumn<QString>("text");

    QTest::addRow("one connection closed is singular")
        << QByteArray(R"({"command":"kick","user":"bob","connection":7})")
        << QByteArray(R"({"closed":1})") << "kicked bob (connection 7): 1 connection closed";
    QTest::addRow("a broadcast to a room")
        << QByteArray(R"({"command":"broadcast","text":"hi","room":"ops"})")
        << QByteArray(R"({"deliveries":12})") << "broadcast sent to room ops: 12 deliveries";
    QTest::addRow("a broadcast to everyone")
        << QByteArray(R"({"command":"broadcast","text":"hi"})") << QByteArray(R"({"deliveries":1})")
        << "broadcast sent: 1 delivery";
    QTest::addRow("room create") << QByteArray(R"({"command":"room.create","room":"ops"})")
                                 << QByteArray("{}") << "created room ops";
    QTest::addRow("room topic cleared")
        << QByteArray(R"({"command":"room.topic","room":"ops","topic":""})") << QByteArray("{}")
        << "cleared the topic of ops";
    QTest::addRow("an empty listing says so")
        << QByteArray(R"({"command":"users"})") << QByteArray("[]") << "no users";
    QTest::addRow("rooms as a table")
        << QByteArray(R"({"command":"rooms"})")
        << QByteArray(R"([{"room":"general","topic":"Welcome","count":12,"seq":3400},)"
                      R"({"room":"ops","topic":"","count":2,"seq":7,"max_members":5,)"
                      R"("locked":true,"slow_mode_s":10,"password":true}])")
        << "ROOM     MEMBERS   SEQ  SETTINGS                           TOPIC\n"
           "general       12  3400  -                                  Welcome\n"
           "ops            2     7  max 5, locked, slow 10s, password  -";
    QTest::addRow("users as a table")
        << QByteArray(R"({"command":"users"})")
        << QByteArray(R"([{"user":"alice","status":"away","devices":2,"rooms":["general","ops"],)"
                      R"("last_seen":"2024-05-01T11:59:00.000Z"},)"
                      R"({"user":"bob","status":"offline","devices":0,"rooms":[],)"
                      R"("last_seen":"2024-05-01T09:00:00.000Z"}])")
        << "USER   STATUS   DEVICES  LAST SEEN  ROOMS\n"
           "alice  away           2        now  general, ops\n"
           "bob    offline        0  3h00m ago  -";
    QTest::addRow("connections as a table")
        << QByteArray(R"({"command":"connections"})")
        << QByteArray(R"([{"id":5,"user":"alice","device":"laptop","peer":"10.0.0.2:50412",)"
                      R"("connected_at":"2024-05-01T10:00:00.000Z",)"
                      R"("last_activity":"2024-05-01T11:59:50.000Z","messages_in":10,)"
                      R"("messages_out":2000,"bytes_in":1536,"bytes_out":5242880,)"
                      R"("queued_bytes":0,"rooms":["general"]}])")
        << "ID  USER   DEVICE  PEER               UP  IDLE  MSGS IN  MSGS OUT  BYTES IN  "
           "BYTES OUT  QUEUED  ROOMS\n"
           " 5  alice  laptop  10.0.0.2:50412  2h00m   10s       10      2000      1.5K       "
           "5.0M       0  general";
}

void TestCtl::human()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, result);
    QFETCH(QString, text);

    const QDateTime now =
        QDateTime::fromString(QStringLiteral("2024-05-01T12:00:00Z"), Qt::ISODate);
    const QJsonDocument resultDocument = QJsonDocument::fromJson(result);
    const QJsonValue value = resultDocument.isArray() ? QJsonValue(resultDocument.array())
                                                      : QJsonValue(resultDocument.object());
    QCOMPARE(CtlFormat::result(QJsonDocument::fromJson(request).object(), value, now), text);
}

void TestCtl::table()
{
    const QString text = CtlFormat::table({QStringLiteral("NAME"), QStringLiteral("N")},
                                          {{QStringLiteral("a"), QStringLiteral("100")},
                                           {QStringLiteral("longer"), QStringLiteral("2")}},
                                          {1});
    QCOMPARE(text, QStringLiteral("NAME      N\na       100\nlonger    2"));
}

void TestCtl::units()
{
    QCOMPARE(CtlFormat::bytes(0), QStringLiteral("0"));
    QCOMPARE(CtlFormat::bytes(1023), QStringLiteral("1023"));
    QCOMPARE(CtlFormat::bytes(1536), QStringLiteral("1.5K"));
    QCOMPARE(CtlFormat::bytes(15 * 1024), QStringLiteral("15K"));
    QCOMPARE(CtlFormat::bytes(3LL << 30), QStringLiteral("3.0G"));
    QCOMPARE(CtlFormat::duration(45), QStringLiteral("45s"));
    QCOMPARE(CtlFormat::duration(723), QStringLiteral("12m03s"));
    QCOMPARE(CtlFormat::duration(3 * 3600 + 5 * 60), QStringLiteral("3h05m"));
    QCOMPARE(CtlFormat::duration(2 * 86400 + 4 * 3600), QStringLiteral("2d04h"));
    QCOMPARE(CtlFormat::compactJson(QJsonValue()), QStringLiteral("null"));
    QCOMPARE(CtlFormat::compactJson(QJsonValue(QJsonValue::Undefined)), QStringLiteral("null"));
    QCOMPARE(CtlFormat::compactJson(QJsonObject()), QStringLiteral("{}"));
    QCOMPARE(CtlFormat::compactJson(QJsonValue(7)), QStringLiteral("7"));
}

void TestCtl::actorName()
{
    const QByteArray user = qgetenv("USER");
    const QByteArray logname = qgetenv("LOGNAME");

    QCOMPARE(Ctl::actorName(), QStringLiteral("tester"));
    qunsetenv("USER");
    qputenv("LOGNAME", "ann");
    QCOMPARE(Ctl::actorName(), QStringLiteral("ann"));
    qunsetenv("LOGNAME");
    QCOMPARE(Ctl::actorName(), QStringLiteral("ctl"));

    qputenv("USER", user);
    if (!logname.isEmpty())
        qputenv("LOGNAME", logname);
}

// The password comes from the file's first line, never from the command line itself.
void TestCtl::roomPassword()
{
    const QString file = m_dir->filePath(QStringLiteral("room.pw"));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write("s3cret words\r\nsecond line\n");
    out.close();

    Ctl::Invocation invocation;
    QString error;
    QVERIFY2(Ctl::parseArguments(words({"room", "set", "ops"})
                                     + QStringList {QStringLiteral("--password-file"), file},
                                 &invocation, &error),
             qPrintable(error));
    QCOMPARE(invocation.request.value(QStringLiteral("password")).toString(),
             QStringLiteral("s3cret words"));

    QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write("\n");
    out.close();
    QVERIFY(!Ctl::parseArguments(words({"room", "set", "ops"})
                                     + QStringList {QStringLiteral("--password-file"), file},
                                 &invocation, &error));
    QVERIFY2(error.contains(QLatin1String("holds no password")), qPrintable(error));
}

void TestCtl::moderationHuman_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("result");
    QTest::addColumn<QString>("text");

    auto at = [](const char *iso) {
        return CtlFormat::clockTime(
            QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs));
    };

    QTest::addRow("a ban says what it closed")
        << QByteArray(R"({"command":"ban","user":"alice","duration_s":7200})")
        << QByteArray(R"({"id":3,"closed":2,"detail":"closed 2 connections in 1 room"})")
        << "banned alice for 2h00m (ban 3): closed 2 connections in 1 room";
    QTest::addRow("a permanent address ban")
        << QByteArray(R"({"command":"ban","address":"10.0.0.5"})")
        << QByteArray(R"({"id":4,"closed":0,"detail":"closed 0 connections in 0 rooms"})")
        << "banned 10.0.0.5 permanently (ban 4): closed 0 connections in 0 rooms";
    QTest::addRow("unban by id") << QByteArray(R"({"command":"unban","id":4})") << QByteArray("{}")
                                 << "lifted ban 4";
    QTest::addRow("unban by name") << QByteArray(R"({"command":"unban","user":"alice"})")
                                   << QByteArray("{}") << "lifted the ban on alice";
    QTest::addRow("bans as a table")
        << QByteArray(R"({"command":"bans"})")
        << QByteArray(R"([{"id":3,"kind":"user","target":"alice","until":null,"issuer":"ann",)"
                      R"("reason":"spam"},{"id":4,"kind":"ip","target":"10.0.0.5",)"
                      R"("until":"2024-05-01T14:00:00.000Z","issuer":"bob","reason":""}])")
        << QStringLiteral("ID  KIND  TARGET    UNTIL                ISSUER  REASON\n"
                          " 3  user  alice     %1  ann     spam\n"
                          " 4  ip    10.0.0.5  %2  bob     -")
               .arg(QStringLiteral("permanent").leftJustified(19), at("2024-05-01T14:00:00Z"));
    QTest::addRow("no bans") << QByteArray(R"({"command":"bans"})") << QByteArray("[]")
                             << "no bans";
    QTest::addRow("mutes as a table")
        << QByteArray(R"({"command":"mutes"})")
        << QByteArray(R"([{"id":5,"user":"bob","room":"","until":null,"issuer":"ann",)"
                      R"("reason":"loud"}])")
        << "ID  USER  ROOM      UNTIL      ISSUER  REASON\n"
           " 5  bob   hub-wide  permanent  ann     loud";
    QTest::addRow("a mute in one room")
        << QByteArray(R"({"command":"mute","user":"bob","room":"general","duration_s":3600})")
        << QByteArray(R"({"devices":2})") << "muted bob in general for 1h00m: 2 devices told";
    QTest::addRow("unmute hub-wide") << QByteArray(R"({"command":"unmute","user":"bob"})")
                                     << QByteArray("{}") << "unmuted bob hub-wide";
    QTest::addRow("room settings changed")
        << QByteArray(R"({"command":"room.set","room":"ops","max_members":0,"locked":true,)"
                      R"("slow_mode_s":0,"password":"x"})")
        << QByteArray(R"({"members":1})")
        << "ops: max members unlimited, locked, slow mode off, password set; 1 connection told";
    QTest::addRow("a deleted message")
        << QByteArray(R"({"command":"message.delete","room":"general","seq":12})")
        << QByteArray(R"({"members":3})") << "deleted message 12 in general; 3 connections told";
    QTest::addRow("history with a tombstone and more before it")
        << QByteArray(R"({"command":"history","room":"general"})")
        << QByteArray(R"({"room":"general","more":true,"messages":[)"
                      R"({"seq":9,"ts":"2024-05-01T11:00:00.000Z","from":"ann","text":"hi"},)"
                      R"({"seq":10,"ts":"2024-05-01T11:00:05.000Z","deleted":true},)"
                      R"({"seq":11,"ts":"2024-05-01T11:00:09.000Z","from":"bob",)"
                      R"("text":"two\nlines \u001b[2J"}]})")
        << QStringLiteral(" 9  %1  ann: hi\n"
                          "10  %2  (deleted)\n"
                          "11  %3  bob: two\n"
                          "%4lines \uFFFD[2J\n"
                          "(older messages: confab ctl history general --before 9)")
               .arg(at("2024-05-01T11:00:00Z"), at("2024-05-01T11:00:05Z"),
                    at("2024-05-01T11:00:09Z"), QString(4 + 19 + 2, QLatin1Char(' ')));
    QTest::addRow("history after a seq points later")
        << QByteArray(R"({"command":"history","room":"ops","after":3})")
        << QByteArray(R"({"room":"ops","more":true,"messages":[)"
                      R"({"seq":4,"ts":"2024-05-01T11:00:00.000Z","from":"ann","text":"x"}]})")
        << QStringLiteral("4  %1  ann: x\n(newer messages: confab ctl history ops --after 4)")
               .arg(at("2024-05-01T11:00:00Z"));
    QTest::addRow("an empty history")
        << QByteArray(R"({"command":"history","room":"ops"})")
        << QByteArray(R"({"room":"ops","more":false,"messages":[]})") << "no messages in ops";
    QTest::addRow("audit as a table")
        << QByteArray(R"({"command":"audit"})")
        << QByteArray(R"([{"id":2,"ts":"2024-05-01T11:00:00.000Z","actor":"ann",)"
                      R"("action":"ban","target":"alice","room":"","reason":"spam",)"
                      R"("until":null,"detail":"closed 1 connection in 1 room"}])")
        << QStringLiteral("TIME                 ACTOR  ACTION  TARGET  ROOM  UNTIL      REASON  "
                          "DETAIL\n"
                          "%1  ann    ban     alice   -     permanent  spam    closed 1 "
                          "connection in 1 room")
               .arg(at("2024-05-01T11:00:00Z"));
}

void TestCtl::moderationHuman()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, result);
    QFETCH(QString, text);

    const QJsonDocument resultDocument = QJsonDocument::fromJson(result);
    const QJsonValue value = resultDocument.isArray() ? QJsonValue(resultDocument.array())
                                                      : QJsonValue(resultDocument.object());
    QCOMPARE(CtlFormat::result(QJsonDocument::fromJson(request).object(), value), text);
}

void TestCtl::csvField_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("field");

    QTest::addRow("plain text stays") << "spam"
                                      << "spam";
    QTest::addRow("empty stays empty") << ""
                                       << "";
    QTest::addRow("a comma is quoted") << "a, b"
                                       << "\"a, b\"";
    QTest::addRow("quotes are doubled") << "say \"hi\""
                                        << "\"say \"\"hi\"\"\"";
    QTest::addRow("a line break is quoted") << "one\ntwo"
                                            << "\"one\ntwo\"";
    QTest::addRow("a carriage return is quoted") << "one\rtwo"
                                                 << "\"one\rtwo\"";
}

void TestCtl::csvField()
{
    QFETCH(QString, text);
    QFETCH(QString, field);
    QCOMPARE(CtlFormat::csvField(text), field);
}

void TestCtl::auditCsv()
{
    const QJsonArray entries =
        QJsonDocument::fromJson(R"([{"id":2,"ts":"2024-05-01T11:00:00.000Z","actor":"ann",)"
                                R"("action":"ban","target":"alice","room":"",)"
                                R"("reason":"spam, \"again\"","until":null,)"
                                R"("detail":"closed 2 connections in 1 room",)"
                                R"("connections":[4,5]}])")
            .array();
    QCOMPARE(CtlFormat::auditCsv(entries),
             QStringLiteral("id,time,actor,action,target,room,reason,until,detail,connections\r\n"
                            "2,2024-05-01T11:00:00.000Z,ann,ban,alice,,\"spam, \"\"again\"\"\",,"
                            "closed 2 connections in 1 room,4 5\r\n"));
    QCOMPARE(
        CtlFormat::auditCsv({}),
        QStringLiteral("id,time,actor,action,target,room,reason,until,detail,connections\r\n"));
}

void TestCtl::banClosesEveryDevice()
{
    const quint16 port = startRealHub();
    QVERIFY(port);

    Client laptop(port);
    const QString token = laptop.hello(QStringLiteral("alice"), QStringLiteral("laptop"));
    QVERIFY(!token.isEmpty());
    Client phone(port);
    QVERIFY(!phone.hello(QStringLiteral("alice"), QStringLiteral("phone"), token).isEmpty());
    QCOMPARE(laptop.join(QStringLiteral("general")).value(QStringLiteral("type")).toString(),
             QStringLiteral("joined"));

    QCOMPARE(runClean(words({"--as", "mod", "ban", "alice", "--reason", "spam"})), int(Ctl::Ok));
    QVERIFY2(m_out.startsWith(QLatin1String("banned alice permanently (ban ")), qPrintable(m_out));
    QVERIFY2(m_out.endsWith(QLatin1String("): closed 2 connections in 1 room\n")),
             qPrintable(m_out));

    for (Client *device : {&laptop, &phone}) {
        const QJsonObject error = device->take(QStringLiteral("error"));
        QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("banned"));
        QVERIFY(error.value(QStringLiteral("until")).isNull());
        QVERIFY(device->waitForClosed());
        QCOMPARE(device->closeCode(), 4013);
    }

    QCOMPARE(runClean(words({"bans"})), int(Ctl::Ok));
    QVERIFY2(m_out.contains(QRegularExpression(
                 QStringLiteral("\\n *\\d+  user  alice +permanent  mod +spam\\n"))),
             qPrintable(m_out));

    QCOMPARE(runClean(words({"unban", "alice"})), int(Ctl::Ok));
    QCOMPARE(m_out, QStringLiteral("lifted the ban on alice\n"));
    QCOMPARE(runClean(words({"bans"})), int(Ctl::Ok));
    QCOMPARE(m_out, QStringLiteral("no bans\n"));

    Client again(port);
    QVERIFY(!again.hello(QStringLiteral("alice"), QStringLiteral("laptop"), token).isEmpty());
}

void TestCtl::muteIsListed()
{
    const quint16 port = startRealHub();
    QVERIFY(port);
    Client bob(port);
    QVERIFY(!bob.hello(QStringLiteral("bob"), QStringLiteral("laptop")).isEmpty());

    QCOMPARE(runClean(words({"mute", "bob", "--room", "general", "--for", "1h"})), int(Ctl::Ok));
    QCOMPARE(m_out, QStringLiteral("muted bob in general for 1h00m: 1 device told\n"));
    const QJsonObject muted = bob.take(QStringLiteral("muted"));
    QCOMPARE(muted.value(QStringLiteral("room")).toString(), QStringLiteral("general"));
    QCOMPARE(muted.value(QStringLiteral("by")).toString(), QStringLiteral("tester"));

    QCOMPARE(runClean(words({"mutes"})), int(Ctl::Ok));
    const QStringList lines = m_out.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(1).contains(QRegularExpression(QStringLiteral(
                 "^ *\\d+  bob   general  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  "
                 "tester  -$"))),
             qPrintable(lines.at(1)));

    QCOMPARE(runClean(words({"--json", "mutes"})), int(Ctl::Ok));
    const QJsonArray mutes = QJsonDocument::fromJson(m_out.toUtf8()).array();
    QCOMPARE(mutes.size(), 1);
    const QDateTime until = QDateTime::fromString(
        mutes.at(0).toObject().value(QStringLiteral("until")).toString(), Qt::ISODateWithMs);
    QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(until) - 3600) < 60);

    QCOMPARE(runClean(words({"unmute", "bob", "--room", "general"})), int(Ctl::Ok));
    QCOMPARE(bob.take(QStringLiteral("unmuted")).value(QStringLiteral("room")).toString(),
             QStringLiteral("general"));
    QCOMPARE(runClean(words({"mutes"})), int(Ctl::Ok));
    QCOMPARE(m_out, QStringLiteral("no mutes\n"));
}

void TestCtl::auditRecordsTheActor()
{
    const quint16 port = startRealHub();
    QVERIFY(port);
    Client bob(port);
    QVERIFY(!bob.hello(QStringLiteral("bob"), QStringLiteral("laptop")).isEmpty());

    QCOMPARE(runClean(words({"--as", "Mod Squad", "mute", "bob", "--reason", "a, \"b\""})),
             int(Ctl::Ok));
    QCOMPARE(runClean(words({"--as", "Mod Squad", "unmute", "bob"})), int(Ctl::Ok));
    QCOMPARE(runClean(words({"--as", "Mod Squad", "ban", "--ip", "192.0.2.7", "--for", "10m"})),
             int(Ctl::Ok));
    QCOMPARE(runClean(words({"slow", "general", "5"})), int(Ctl::Ok)); // as the login name

    QCOMPARE(runClean(words({"audit", "--csv", "--actor", "mod squad"})), int(Ctl::Ok));
    QVERIFY2(m_out.endsWith(QLatin1String("\r\n")), qPrintable(m_out));
    const QStringList records = m_out.left(m_out.size() - 2).split(QStringLiteral("\r\n"));
    QCOMPARE(records.size(), 4);
    QCOMPARE(records.at(0),
             QStringLiteral("id,time,actor,action,target,room,reason,until,detail,connections"));
    QVERIFY2(records.at(1).contains(QLatin1String(",Mod Squad,ban,192.0.2.7,,,")),
             qPrintable(records.at(1)));
    QVERIFY2(records.at(2).contains(QLatin1String(",Mod Squad,unmute,bob,")),
             qPrintable(records.at(2)));
    QVERIFY2(records.at(3).contains(QLatin1String(",Mod Squad,mute,bob,,\"a, \"\"b\"\"\",")),
             qPrintable(records.at(3)));

    QCOMPARE(runClean(words({"--json", "audit", "--actor", "tester"})), int(Ctl::Ok));
    const QJsonArray mine = QJsonDocument::fromJson(m_out.toUtf8()).array();
    QCOMPARE(mine.size(), 1);
    QCOMPARE(mine.at(0).toObject().value(QStringLiteral("action")).toString(),
             QStringLiteral("room_settings"));

    QCOMPARE(runClean(words({"audit", "--action", "ban", "--since", "1h"})), int(Ctl::Ok));
    QCOMPARE(m_out.count(QLatin1Char('\n')), 2); // the header and the one ban
}

void TestCtl::historyAndDelete()
{
    const quint16 port = startRealHub();
    QVERIFY(port);
    Client alice(port);
    QVERIFY(!alice.hello(QStringLiteral("alice"), QStringLiteral("laptop")).isEmpty());
    QCOMPARE(alice.join(QStringLiteral("general")).value(QStringLiteral("type")).toString(),
             QStringLiteral("joined"));
    for (const char *text : {"one", "two", "three"})
        alice.say(QStringLiteral("general"), QString::fromLatin1(text));

    QCOMPARE(runClean(words({"history", "general"})), int(Ctl::Ok));
    QStringList lines = m_out.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);
    const QRegularExpression line(
        QStringLiteral("^(\\d)  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  (.*)$"));
    const QStringList bodies = {QStringLiteral("alice: one"), QStringLiteral("alice: two"),
                                QStringLiteral("alice: three")};
    for (int i = 0; i < 3; ++i) {
        const QRegularExpressionMatch match = line.match(lines.at(i));
        QVERIFY2(match.hasMatch(), qPrintable(lines.at(i)));
        QCOMPARE(match.captured(1), QString::number(i + 1));
        QCOMPARE(match.captured(2), bodies.at(i));
    }

    QCOMPARE(runClean(words({"delete", "general", "2", "--reason", "oops"})), int(Ctl::Ok));
    QCOMPARE(m_out, QStringLiteral("deleted message 2 in general; 1 connection told\n"));
    QCOMPARE(alice.take(QStringLiteral("deleted")).value(QStringLiteral("seq")).toInt(), 2);

    QCOMPARE(runClean(words({"history", "general", "--after", "1", "--limit", "1"})), int(Ctl::Ok));
    lines = m_out.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).startsWith(QLatin1String("2  ")), qPrintable(lines.at(0)));
    QVERIFY2(lines.at(0).endsWith(QLatin1String("  (deleted)")), qPrintable(lines.at(0)));
    QCOMPARE(lines.at(1), QStringLiteral("(newer messages: confab ctl history general --after 2)"));

    QCOMPARE(runClean(words({"delete", "general", "99"})), int(Ctl::Failed));
    QVERIFY2(m_err.endsWith(QLatin1String("(no_such_message)\n")), qPrintable(m_err));
}

void TestCtl::roomSetMaxMembers()
{
    const quint16 port = startRealHub();
    QVERIFY(port);
    Client alice(port);
    QVERIFY(!alice.hello(QStringLiteral("alice"), QStringLiteral("laptop")).isEmpty());
    QCOMPARE(alice.join(QStringLiteral("ops")).value(QStringLiteral("type")).toString(),
             QStringLiteral("joined"));

    QCOMPARE(runClean(words({"room", "set", "ops", "--max-members", "1"})), int(Ctl::Ok));
    QCOMPARE(m_out, QStringLiteral("ops: max members 1; 1 connection told\n"));
    QCOMPARE(alice.take(QStringLiteral("room_settings"))
                 .value(QStringLiteral("settings"))
                 .toObject()
                 .value(QStringLiteral("max_members"))
                 .toInt(),
             1);

    Client bob(port);
    QVERIFY(!bob.hello(QStringLiteral("bob"), QStringLiteral("laptop")).isEmpty());
    const QJsonObject refused = bob.join(QStringLiteral("ops"));
    QCOMPARE(refused.value(QStringLiteral("type")).toString(), QStringLiteral("error"));
    QCOMPARE(refused.value(QStringLiteral("code")).toString(), QStringLiteral("room_full"));

    QCOMPARE(runClean(words({"rooms"})), int(Ctl::Ok));
    QVERIFY2(m_out.contains(QRegularExpression(QStringLiteral("\\nops +1 +0  max 1"))),
             qPrintable(m_out));
}

// Bad input never hangs or crashes: a usage error (2) before anything is sent, or the hub's
// own error code and message (1).
void TestCtl::refusals_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("err");

    QTest::addRow("an unknown duration unit")
        << words({"ban", "alice", "--for", "3w"}) << int(Ctl::Usage) << "'3w' is not a duration";
    QTest::addRow("a seq that is not a number")
        << words({"delete", "general", "x"}) << int(Ctl::Usage) << "'x' is not a seq";
    QTest::addRow("slow mode in a room that is not there")
        << words({"slow", "nowhere", "5"}) << int(Ctl::Failed) << "(no_such_room)";
    QTest::addRow("history of a room that is not there")
        << words({"history", "nowhere"}) << int(Ctl::Failed) << "(no_such_room)";
    QTest::addRow("mute of a user nobody has been")
        << words({"mute", "nobody"}) << int(Ctl::Failed) << "(no_such_user)";
    QTest::addRow("unban of someone not banned")
        << words({"unban", "carol"}) << int(Ctl::Failed) << "carol is not banned (no_such_ban)";
    QTest::addRow("a ban of something that is not an address")
        << words({"ban", "--ip", "not-an-ip"}) << int(Ctl::Failed) << "(bad_field)";
    QTest::addRow("slow mode past a day")
        << words({"slow", "general", "90000"}) << int(Ctl::Failed) << "(bad_field)";
}

void TestCtl::refusals()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, err);

    QVERIFY(startRealHub());
    QCOMPARE(runClean(arguments), exitCode);
    QVERIFY2(m_err.startsWith(QLatin1String("confab ctl: ")), qPrintable(m_err));
    QVERIFY2(m_err.contains(err), qPrintable(m_err));
    QVERIFY(m_out.isEmpty());
}

// Other clients than ctl may write to the socket: a field of the wrong type is refused, never
// read as 0 (a timed ban would become permanent).
void TestCtl::rawRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("error");

    QTest::addRow("a duration as text")
        << QByteArray(R"({"command":"ban","user":"alice","duration_s":"1h"})") << "bad_field";
    QTest::addRow("a negative duration")
        << QByteArray(R"({"command":"mute","user":"alice","duration_s":-5})") << "bad_field";
    QTest::addRow("locked as text")
        << QByteArray(R"({"command":"room.set","room":"general","locked":"yes"})") << "bad_field";
    QTest::addRow("a fractional member limit")
        << QByteArray(R"({"command":"room.set","room":"general","max_members":1.5})")
        << "bad_field";
    QTest::addRow("room.set with nothing to set")
        << QByteArray(R"({"command":"room.set","room":"general"})") << "missing_field";
    QTest::addRow("audit since nonsense")
        << QByteArray(R"({"command":"audit","since":"soon"})") << "bad_field";
}

void TestCtl::rawRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, error);

    QVERIFY(startRealHub());
    QLocalSocket socket;
    socket.connectToServer(controlSocketPath(m_dir->path()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write(request + '\n');
    while (!socket.canReadLine() && socket.waitForReadyRead(5000)) { }
    QVERIFY(socket.canReadLine());

    const QJsonObject reply = QJsonDocument::fromJson(socket.readLine()).object();
    QCOMPARE(reply.value(QStringLiteral("ok")).toBool(), false);
    QCOMPARE(reply.value(QStringLiteral("error")).toString(), error);
}

QTEST_GUILESS_MAIN(TestCtl)
#include "tst_ctl.moc"

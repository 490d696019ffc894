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
#include <QMutex>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QThread>

#include "controlserver.h"
#include "ctlformat.h"

namespace {

// Test rows spell argument lists as plain literals; QT_NO_CAST_FROM_ASCII wants them converted.
QStringList words(std::initializer_list<const char *> items)
{
    QStringList list;
    for (const char *item : items)
        list.append(QString::fromUtf8(item));
    return list;
}

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

private:
    void startHub(const QByteArray &reply);
    int run(const QStringList &arguments);

    std::unique_ptr<QTemporaryDir> m_dir;
    QThread m_thread;
    FakeHub *m_hub = nullptr;
    QString m_out;
    QString m_err;
};

void TestCtl::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(QStringLiteral("confab"));
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
    QTest::addRow("kick with a reason") << words({"kick", "alice", "--reason", "spam"})
                                        << R"({"command":"kick","reason":"spam","user":"alice"})";
    QTest::addRow("kick one connection, options first")
        << words({"--reason", "stale", "--connection", "42", "kick", "bob"})
        << R"({"command":"kick","connection":42,"reason":"stale","user":"bob"})";
    QTest::addRow("broadcast joins the rest of the line")
        << words({"broadcast", "back", "in", "5"})
        << R"({"command":"broadcast","text":"back in 5"})";
    QTest::addRow("broadcast to one room, text after --")
        << words({"broadcast", "--room", "ops", "--", "-1 min"})
        << R"({"command":"broadcast","room":"ops","text":"-1 min"})";
    QTest::addRow("room create with a topic")
        << words({"room", "create", "ops", "--topic", "on call"})
        << R"({"command":"room.create","room":"ops","topic":"on call"})";
    QTest::addRow("room delete") << words({"room", "delete", "ops"})
                                 << R"({"command":"room.delete","room":"ops"})";
    QTest::addRow("room topic joins the rest of the line")
        << words({"room", "topic", "ops", "who", "is", "on"})
        << R"({"command":"room.topic","room":"ops","topic":"who is on"})";
    QTest::addRow("an empty topic clears it")
        << words({"room", "topic", "ops", ""})
        << R"({"command":"room.topic","room":"ops","topic":""})";
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
                      R"({"room":"ops","topic":"","count":2,"seq":7}])")
        << "ROOM     MEMBERS   SEQ  TOPIC\n"
           "general       12  3400  Welcome\n"
           "ops            2     7  -";
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

QTEST_GUILESS_MAIN(TestCtl)
#include "tst_ctl.moc"

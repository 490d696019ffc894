// Names, tokens, devices, passwords and hello rules, against a real hub.
#include <memory>

#include <QTest>

#include "hubservice.h"
#include "testclient.h"

namespace {

QString str(const QJsonObject &f, const char *key)
{
    return f.value(QLatin1String(key)).toString();
}

} // namespace

class TestHubIdentity : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void nameTakenWithoutToken();
    void sameTokenAddsDevice();
    void sameDeviceReplacesSilently();
    void nameFreedWhenLastDeviceLeaves();
    void badNames_data();
    void badNames();
    void goodNames_data();
    void goodNames();
    void wrongPasswordRefused();
    void unsupportedProtocolRefused();
    void secondHelloRefused();
    void framesBeforeHelloRefused();
    void noHelloInTime();
    void pairingCodeAddsDevice();
    void pairingStandsInForThePassword();
    void badPairingCodesRefused_data();
    void badPairingCodesRefused();

private:
    void restart(const HubConfig &config);
    TestClient *connected();

    std::unique_ptr<HubService> m_hub;
    QList<TestClient *> m_clients;
};

void TestHubIdentity::init()
{
    restart(testHubConfig());
}

void TestHubIdentity::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();
}

void TestHubIdentity::restart(const HubConfig &config)
{
    m_hub = std::make_unique<HubService>();
    QVERIFY2(m_hub->start(config), qPrintable(m_hub->errorString()));
}

TestClient *TestHubIdentity::connected()
{
    auto *c = new TestClient(m_hub->port());
    m_clients.append(c);
    c->connectToHub();
    return c;
}

void TestHubIdentity::nameTakenWithoutToken()
{
    TestClient *first = connected();
    QVERIFY(!first->hello(QStringLiteral("alice")).isEmpty());

    TestClient *second = connected();
    QVERIFY(second->hello(QStringLiteral("ALICE"), QStringLiteral("x")).isEmpty());
    const QJsonObject error = second->waitFor(QStringLiteral("error"));
    QCOMPARE(str(error, "code"), QStringLiteral("name_taken"));
    QCOMPARE(str(error, "ref"), QStringLiteral("hello"));
    QVERIFY(second->waitForDisconnected());
    QCOMPARE(second->closeCode(), 4009);

    TestClient *wrong = connected();
    QVERIFY(wrong->hello(QStringLiteral("alice"), {}, QStringLiteral("not-the-token")).isEmpty());
    QVERIFY(wrong->waitForDisconnected());
    QCOMPARE(wrong->closeCode(), 4009);
    QVERIFY(first->isConnected());
}

void TestHubIdentity::sameTokenAddsDevice()
{
    TestClient *phone = connected();
    phone->hello(QStringLiteral("alice"), QStringLiteral("phone"));
    TestClient *laptop = connected();
    const QJsonObject welcome =
        laptop->hello(QStringLiteral("Alice"), QStringLiteral("laptop"), phone->token);
    QCOMPARE(str(welcome, "user"), QStringLiteral("alice")); // the name as first claimed
    QCOMPARE(laptop->token, phone->token);

    const HubSnapshot snapshot = m_hub->snapshot().result();
    QCOMPARE(snapshot.connections.size(), 2);
    QCOMPARE(snapshot.users.size(), 1);
    QCOMPARE(snapshot.users.first().devices, 2);
}

void TestHubIdentity::sameDeviceReplacesSilently()
{
    TestClient *bob = connected();
    bob->hello(QStringLiteral("bob"));
    bob->join(QStringLiteral("general"));
    TestClient *old = connected();
    old->hello(QStringLiteral("alice"), QStringLiteral("phone"));
    old->join(QStringLiteral("general"));
    bob->waitFor(QStringLiteral("member_joined"));

    TestClient *fresh = connected();
    const QJsonObject welcome =
        fresh->hello(QStringLiteral("alice"), QStringLiteral("phone"), old->token);
    QVERIFY(!welcome.isEmpty());
    QVERIFY(old->waitForDisconnected());
    QCOMPARE(old->closeCode(), 4002);

    // The new connection is already in the old one's rooms and says so.
    const QJsonObject joined = fresh->waitFor(QStringLiteral("joined"));
    QCOMPARE(str(joined, "room"), QStringLiteral("general"));
    bob->send(
        frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("general")},
                                      {QStringLiteral("text"), QStringLiteral("still here?")}}));
    QCOMPARE(str(fresh->waitFor(QStringLiteral("message")), "text"), QStringLiteral("still here?"));

    // bob saw no leave, join or offline for alice.
    QCOMPARE(bob->count(QStringLiteral("member_left")), 0);
    QCOMPARE(bob->count(QStringLiteral("member_joined")), 0);
    for (const QJsonObject &p : bob->received(QStringLiteral("presence")))
        QCOMPARE(str(p, "user"), QStringLiteral("bob")); // only his own, from his hello
    QCOMPARE(m_hub->snapshot().result().connections.size(), 2);
}

// With name_retention_days = 0; the default keeps the claim (tst_hubhistory).
void TestHubIdentity::nameFreedWhenLastDeviceLeaves()
{
    HubConfig config = testHubConfig();
    config.nameRetentionDays = 0;
    restart(config);
    TestClient *first = connected();
    first->hello(QStringLiteral("alice"));
    const QString oldToken = first->token;
    first->socket().close();
    QVERIFY(first->waitForDisconnected());

    QTRY_COMPARE(m_hub->snapshot().result().connections.size(), 0);
    TestClient *next = connected();
    QVERIFY(!next->hello(QStringLiteral("alice")).isEmpty());
    QVERIFY(next->token != oldToken);
}

void TestHubIdentity::badNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addRow("empty") << QString();
    QTest::addRow("leading space") << QStringLiteral(" bob");
    QTest::addRow("trailing space") << QStringLiteral("bob ");
    QTest::addRow("33 code points") << QString(33, QLatin1Char('a'));
    QTest::addRow("reserved operator") << QStringLiteral("operator");
    QTest::addRow("reserved, any case") << QStringLiteral("Admin");
    QTest::addRow("reserved system") << QStringLiteral("system");
    QTest::addRow("reserved confab") << QStringLiteral("CONFAB");
    QTest::addRow("punctuation") << QStringLiteral("bo$b");
    QTest::addRow("tab") << QStringLiteral("bo\tb");
    QTest::addRow("emoji") << QString::fromUtf8("bob\xF0\x9F\x98\x80");
}

void TestHubIdentity::badNames()
{
    QFETCH(QString, name);
    TestClient *c = connected();
    c->send(frame(QStringLiteral("hello"), {{QStringLiteral("user"), name}}));
    QCOMPARE(str(c->waitFor(QStringLiteral("error")), "code"), QStringLiteral("bad_name"));
    QVERIFY(c->waitForDisconnected());
    QCOMPARE(c->closeCode(), 4010);
}

void TestHubIdentity::goodNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addRow("accented") << QString::fromUtf8("Zo\xC3\xAB");
    QTest::addRow("CJK") << QString::fromUtf8("\xE4\xB8\xBD\xE4\xB8\xBD");
    QTest::addRow("dot underscore dash") << QStringLiteral("a.b_c-d");
    QTest::addRow("inner space") << QStringLiteral("Jo Ann");
    QTest::addRow("32 code points") << QString(32, QLatin1Char('z'));
    QTest::addRow("32 astral letters")
        << QString::fromUcs4(std::u32string(32, U'\U0001D400').c_str()); // 64 UTF-16 units
}

void TestHubIdentity::goodNames()
{
    QFETCH(QString, name);
    TestClient *c = connected();
    QCOMPARE(str(c->hello(name), "user"), name);
}

void TestHubIdentity::wrongPasswordRefused()
{
    HubConfig config = testHubConfig();
    config.password = QStringLiteral("s3cret");
    restart(config);

    TestClient *wrong = connected();
    wrong->send(
        frame(QStringLiteral("hello"), {{QStringLiteral("user"), QStringLiteral("eve")},
                                        {QStringLiteral("password"), QStringLiteral("guess")}}));
    QCOMPARE(str(wrong->waitFor(QStringLiteral("error")), "code"), QStringLiteral("bad_password"));
    QVERIFY(wrong->waitForDisconnected());
    QCOMPARE(wrong->closeCode(), 4003);

    TestClient *right = connected();
    right->send(
        frame(QStringLiteral("hello"), {{QStringLiteral("user"), QStringLiteral("eve")},
                                        {QStringLiteral("password"), QStringLiteral("s3cret")}}));
    QVERIFY(!right->waitFor(QStringLiteral("welcome")).isEmpty());
}

void TestHubIdentity::unsupportedProtocolRefused()
{
    TestClient *c = connected();
    c->send(frame(QStringLiteral("hello"), {{QStringLiteral("user"), QStringLiteral("al")},
                                            {QStringLiteral("protocol"), 2}}));
    QCOMPARE(str(c->waitFor(QStringLiteral("error")), "code"),
             QStringLiteral("unsupported_protocol"));
    QVERIFY(c->waitForDisconnected());
    QCOMPARE(c->closeCode(), 4011);
}

void TestHubIdentity::secondHelloRefused()
{
    TestClient *c = connected();
    c->hello(QStringLiteral("al"));
    c->send(frame(QStringLiteral("hello"), {{QStringLiteral("user"), QStringLiteral("al")}}));
    QCOMPARE(str(c->waitFor(QStringLiteral("error")), "code"), QStringLiteral("already_hello"));
    c->send(frame(QStringLiteral("rooms")));
    QVERIFY(!c->waitFor(QStringLiteral("rooms")).isEmpty());
}

void TestHubIdentity::framesBeforeHelloRefused()
{
    TestClient *c = connected();
    c->send(frame(QStringLiteral("join"), {{QStringLiteral("room"), QStringLiteral("general")}}));
    const QJsonObject error = c->waitFor(QStringLiteral("error"));
    QCOMPARE(str(error, "code"), QStringLiteral("not_hello"));
    QCOMPARE(str(error, "ref"), QStringLiteral("join"));
    QVERIFY(!c->hello(QStringLiteral("late")).isEmpty());
}

void TestHubIdentity::noHelloInTime()
{
    HubConfig config = testHubConfig();
    config.helloTimeoutS = 1;
    restart(config);

    TestClient *silent = connected();
    QVERIFY(silent->waitForDisconnected(5000));
    QCOMPARE(silent->closeCode(), 4012);
    QCOMPARE(m_hub->snapshot().result().totals.helloTimeouts, quint64(1));
}

void TestHubIdentity::pairingCodeAddsDevice()
{
    TestClient *laptop = connected();
    laptop->hello(QStringLiteral("alice"), QStringLiteral("laptop"));
    laptop->send(frame(QStringLiteral("pair")));
    const QJsonObject pairing = laptop->waitFor(QStringLiteral("pairing"));
    const QString code = str(pairing, "code");
    QCOMPARE(code.size(), 8);
    QVERIFY(str(pairing, "url").endsWith(QStringLiteral("/#pair=") + code));
    QVERIFY(!str(pairing, "url").contains(laptop->token)); // the token never goes in a URL
    QVERIFY(QDateTime::fromString(str(pairing, "expires"), Qt::ISODateWithMs)
            > QDateTime::currentDateTimeUtc());

    TestClient *phone = connected();
    phone->send(
        frame(QStringLiteral("hello"), {{QStringLiteral("pairing"), code},
                                        {QStringLiteral("device"), QStringLiteral("phone")}}));
    const QJsonObject welcome = phone->waitFor(QStringLiteral("welcome"));
    QCOMPARE(str(welcome, "user"), QStringLiteral("alice"));
    QCOMPARE(str(welcome, "token"), laptop->token);
    QCOMPARE(m_hub->snapshot().result().users.first().devices, 2);

    // Single use: the same code again is refused.
    TestClient *again = connected();
    again->send(frame(QStringLiteral("hello"), {{QStringLiteral("pairing"), code}}));
    QCOMPARE(str(again->waitFor(QStringLiteral("error")), "code"), QStringLiteral("bad_pairing"));
    QVERIFY(again->waitForDisconnected());
    QCOMPARE(again->closeCode(), 4015);
}

void TestHubIdentity::pairingStandsInForThePassword()
{
    HubConfig config = testHubConfig();
    config.password = QStringLiteral("s3cret");
    restart(config);

    TestClient *laptop = connected();
    laptop->send(
        frame(QStringLiteral("hello"), {{QStringLiteral("user"), QStringLiteral("alice")},
                                        {QStringLiteral("password"), QStringLiteral("s3cret")}}));
    laptop->waitFor(QStringLiteral("welcome"));
    laptop->send(frame(QStringLiteral("pair")));
    const QString code = str(laptop->waitFor(QStringLiteral("pairing")), "code");

    TestClient *phone = connected();
    phone->send(frame(QStringLiteral("hello"), {{QStringLiteral("pairing"), code}}));
    QCOMPARE(str(phone->waitFor(QStringLiteral("welcome")), "user"), QStringLiteral("alice"));
}

void TestHubIdentity::badPairingCodesRefused_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("user");
    QTest::addRow("unknown code") << "ZZZZZZZZ"
                                  << "";
    QTest::addRow("a real code, someone else's name") << ""
                                                      << "mallory";
}

void TestHubIdentity::badPairingCodesRefused()
{
    QFETCH(QString, code);
    QFETCH(QString, user);
    if (code.isEmpty()) {
        TestClient *owner = connected();
        owner->hello(QStringLiteral("alice"));
        owner->send(frame(QStringLiteral("pair")));
        code = str(owner->waitFor(QStringLiteral("pairing")), "code");
    }

    QJsonObject hello {{QStringLiteral("pairing"), code}};
    if (!user.isEmpty())
        hello.insert(QStringLiteral("user"), user);
    TestClient *c = connected();
    c->send(frame(QStringLiteral("hello"), hello));
    QCOMPARE(str(c->waitFor(QStringLiteral("error")), "code"), QStringLiteral("bad_pairing"));
    QVERIFY(c->waitForDisconnected());
    QCOMPARE(c->closeCode(), 4015);
}

QTEST_GUILESS_MAIN(TestHubIdentity)
#include "tst_hubidentity.moc"

// Protocol v1 parsing and validation, as tables.
#include <QTest>

#include "protocol.h"

using namespace Protocol;

class TestProtocol : public QObject
{
    Q_OBJECT

private slots:
    void parsesValidFrames_data();
    void parsesValidFrames();
    void rejectsBadFrames_data();
    void rejectsBadFrames();
    void userNames_data();
    void userNames();
    void roomNames_data();
    void roomNames();
    void namesCompareCaseInsensitively();
    void truncatesOnCharacterBoundary_data();
    void truncatesOnCharacterBoundary();
    void timestampsAreUtcWithMilliseconds();
    void errorFrameCarriesRef();
    void joinAndHistoryFieldsRead();
};

void TestProtocol::parsesValidFrames_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("field"); // the main field's value, for a spot check

    QTest::addRow("hello with everything") << QByteArray(
        R"({"type":"hello","user":"ann","device":"p","password":"x","token":"t","protocol":1})")
                                           << int(FrameType::Hello) << "ann";
    QTest::addRow("hello, user only")
        << QByteArray(R"({"type":"hello","user":"ann"})") << int(FrameType::Hello) << "ann";
    QTest::addRow("join") << QByteArray(R"({"type":"join","room":"general"})")
                          << int(FrameType::Join) << "general";
    QTest::addRow("say with string cid")
        << QByteArray(R"({"type":"say","room":"general","text":"hi","cid":"a1"})")
        << int(FrameType::Say) << "hi";
    QTest::addRow("dm") << QByteArray(R"({"type":"dm","to":"bob","text":"yo"})")
                        << int(FrameType::Dm) << "yo";
    QTest::addRow("multicast") << QByteArray(R"({"type":"multicast","to":["a","b"],"text":"m"})")
                               << int(FrameType::Multicast) << "m";
    QTest::addRow("status busy") << QByteArray(R"({"type":"status","status":"busy"})")
                                 << int(FrameType::Status) << "busy";
    QTest::addRow("typing") << QByteArray(R"({"type":"typing","room":"r"})")
                            << int(FrameType::Typing) << "r";
    QTest::addRow("rooms, extra fields ignored")
        << QByteArray(R"({"type":"rooms","future":true})") << int(FrameType::Rooms) << "";
    QTest::addRow("who with cursor")
        << QByteArray(R"({"type":"who","room":"r","after":"bob"})") << int(FrameType::Who) << "r";
    QTest::addRow("join with history, since and password")
        << QByteArray(R"({"type":"join","room":"lab","history":20,"password":"pw",)"
                      R"("since":{"seq":41,"epoch":"9f2c4e1a7b3d5c60"}})")
        << int(FrameType::Join) << "lab";
    QTest::addRow("history with bounds")
        << QByteArray(R"({"type":"history","room":"lab","before":42,"after":3,"limit":200})")
        << int(FrameType::History) << "lab";
    QTest::addRow("unicode text") << QByteArray(
        R"({"type":"say","room":"r","text":"h\u00e9 \ud83d\ude00"})")
                                  << int(FrameType::Say)
                                  << QString::fromUtf8("h\xC3\xA9 \xF0\x9F\x98\x80");
}

void TestProtocol::parsesValidFrames()
{
    QFETCH(QByteArray, json);
    QFETCH(int, type);
    QFETCH(QString, field);

    ClientFrame frame;
    ParseError error;
    QVERIFY2(parseClientFrame(json, {}, &frame, &error), qPrintable(error.message));
    QCOMPARE(int(frame.type), type);

    const QString spot = frame.type == FrameType::Hello    ? frame.user
                         : frame.type == FrameType::Status ? frame.status
                         : !frame.text.isEmpty()           ? frame.text
                                                           : frame.room;
    QCOMPARE(spot, field);
}

void TestProtocol::joinAndHistoryFieldsRead()
{
    ClientFrame join;
    ParseError error;
    QVERIFY(parseClientFrame(R"({"type":"join","room":"lab","history":20,"password":"pw",)"
                             R"("since":{"seq":41,"epoch":"9f2c"}})",
                             {}, &join, &error));
    QCOMPARE(join.historyCount, 20);
    QVERIFY(join.hasSince);
    QCOMPARE(join.sinceSeq, quint64(41));
    QCOMPARE(join.sinceEpoch, QStringLiteral("9f2c"));
    QCOMPARE(join.roomPassword, QStringLiteral("pw"));

    ClientFrame history;
    QVERIFY(parseClientFrame(R"({"type":"history","room":"lab","after":0})", {}, &history, &error));
    QVERIFY(history.hasAfter); // after 0 asks for the oldest page, unlike no after at all
    QCOMPARE(history.afterSeq, quint64(0));
    QCOMPARE(history.beforeSeq, quint64(0));
    QCOMPARE(history.limit, 50);
}

void TestProtocol::rejectsBadFrames_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("code");

    QTest::addRow("empty") << QByteArray() << "bad_json";
    QTest::addRow("not JSON") << QByteArray("hi") << "bad_json";
    QTest::addRow("array") << QByteArray("[]") << "bad_json";
    QTest::addRow("string") << QByteArray(R"("hello")") << "bad_json";
    QTest::addRow("no type") << QByteArray("{}") << "missing_field";
    QTest::addRow("type null") << QByteArray(R"({"type":null})") << "bad_field";
    QTest::addRow("type number") << QByteArray(R"({"type":1})") << "bad_field";
    QTest::addRow("unknown type") << QByteArray(R"({"type":"nope"})") << "unknown_type";
    QTest::addRow("type case matters")
        << QByteArray(R"({"type":"Hello","user":"a"})") << "unknown_type";
    QTest::addRow("hello without user") << QByteArray(R"({"type":"hello"})") << "missing_field";
    QTest::addRow("hello user number") << QByteArray(R"({"type":"hello","user":3})") << "bad_field";
    QTest::addRow("hello protocol string")
        << QByteArray(R"({"type":"hello","user":"a","protocol":"1"})") << "bad_field";
    QTest::addRow("hello protocol fraction")
        << QByteArray(R"({"type":"hello","user":"a","protocol":1.5})") << "bad_field";
    QTest::addRow("hello device too long")
        << QByteArray(R"({"type":"hello","user":"a","device":")") + QByteArray(65, 'd') + "\"}"
        << "too_large";
    QTest::addRow("join without room") << QByteArray(R"({"type":"join"})") << "missing_field";
    QTest::addRow("join room with space")
        << QByteArray(R"({"type":"join","room":"a b"})") << "bad_field";
    QTest::addRow("join room too long")
        << QByteArray(R"({"type":"join","room":")") + QByteArray(65, 'r') + "\"}"
        << "bad_field";
    QTest::addRow("join history over 100")
        << QByteArray(R"({"type":"join","room":"r","history":101})") << "bad_field";
    QTest::addRow("join history negative")
        << QByteArray(R"({"type":"join","room":"r","history":-1})") << "bad_field";
    QTest::addRow("join since without epoch")
        << QByteArray(R"({"type":"join","room":"r","since":{"seq":3}})") << "bad_field";
    QTest::addRow("join since seq negative")
        << QByteArray(R"({"type":"join","room":"r","since":{"seq":-3,"epoch":"e"}})")
        << "bad_field";
    QTest::addRow("join since a number")
        << QByteArray(R"({"type":"join","room":"r","since":5})") << "bad_field";
    QTest::addRow("join password too long")
        << QByteArray(R"({"type":"join","room":"r","password":")") + QByteArray(1025, 'p') + "\"}"
        << "too_large";
    QTest::addRow("history limit 0")
        << QByteArray(R"({"type":"history","room":"r","limit":0})") << "bad_field";
    QTest::addRow("history limit over 200")
        << QByteArray(R"({"type":"history","room":"r","limit":201})") << "bad_field";
    QTest::addRow("history before a fraction")
        << QByteArray(R"({"type":"history","room":"r","before":2.5})") << "bad_field";
    QTest::addRow("history without room") << QByteArray(R"({"type":"history"})") << "missing_field";
    QTest::addRow("say empty text")
        << QByteArray(R"({"type":"say","room":"r","text":""})") << "bad_field";
    QTest::addRow("say text over limit")
        << QByteArray(R"({"type":"say","room":"r","text":")") + QByteArray(4001, 'x') + "\"}"
        << "too_large";
    QTest::addRow("say cid too long")
        << QByteArray(R"({"type":"say","room":"r","text":"x","cid":")") + QByteArray(65, 'c')
               + "\"}"
        << "bad_field";
    QTest::addRow("say cid bool") << QByteArray(
        R"({"type":"say","room":"r","text":"x","cid":true})")
                                  << "bad_field";
    QTest::addRow("dm without to") << QByteArray(R"({"type":"dm","text":"x"})") << "missing_field";
    QTest::addRow("multicast too many") << QByteArray(R"({"type":"multicast","text":"x","to":[)")
                                               + QByteArray("\"u\",").repeated(50) + "\"u\"]}"
                                        << "too_large";
    QTest::addRow("multicast with a number")
        << QByteArray(R"({"type":"multicast","text":"x","to":[1]})") << "bad_field";
    QTest::addRow("status offline is not settable")
        << QByteArray(R"({"type":"status","status":"offline"})") << "bad_field";
}

void TestProtocol::rejectsBadFrames()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, code);

    ClientFrame frame;
    ParseError error;
    QVERIFY(!parseClientFrame(json, {}, &frame, &error));
    QCOMPARE(error.code, code);
    QVERIFY(!error.message.isEmpty());
}

void TestProtocol::userNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::addRow("plain") << "alice" << true;
    QTest::addRow("one letter") << "a" << true;
    QTest::addRow("digits") << "r2d2" << true;
    QTest::addRow("inner space") << "Mary Ann" << true;
    QTest::addRow("accents") << QString::fromUtf8("Jos\xC3\xA9") << true;
    QTest::addRow("Arabic digits") << QString::fromUtf8("\xD9\xA1\xD9\xA2") << true;
    QTest::addRow("32 chars") << QString(32, QLatin1Char('x')) << true;
    QTest::addRow("33 chars") << QString(33, QLatin1Char('x')) << false;
    QTest::addRow("empty") << "" << false;
    QTest::addRow("leading space") << " a" << false;
    QTest::addRow("trailing space") << "a " << false;
    QTest::addRow("only a space") << " " << false;
    QTest::addRow("at sign") << "a@b" << false;
    QTest::addRow("newline") << "a\nb" << false;
    QTest::addRow("reserved admin") << "admin" << false;
    QTest::addRow("reserved OPERATOR") << "OPERATOR" << false;
    QTest::addRow("not reserved: operators") << "operators" << true;
    QTest::addRow("Devanagari with vowel signs") << QString::fromUtf8(
        "\xE0\xA4\xB9\xE0\xA4\xBF\xE0\xA4\xA8\xE0\xA5\x8D\xE0\xA4\xA6\xE0\xA5\x80")
                                                 << true;
    QTest::addRow("starts with a combining mark") << QString::fromUtf8("\xCC\x81"
                                                                       "abc")
                                                  << false;
}

void TestProtocol::userNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QString why;
    QCOMPARE(isValidUserName(name, &why), valid);
    QCOMPARE(why.isEmpty(), valid);
}

void TestProtocol::roomNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::addRow("plain") << "general" << true;
    QTest::addRow("hash and dash") << "#lab-3" << true;
    QTest::addRow("64 chars") << QString(64, QLatin1Char('r')) << true;
    QTest::addRow("65 chars") << QString(65, QLatin1Char('r')) << false;
    QTest::addRow("space") << "two words" << false;
    QTest::addRow("slash") << "a/b" << false;
    QTest::addRow("empty") << "" << false;
}

void TestProtocol::roomNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(isValidRoomName(name), valid);
}

void TestProtocol::namesCompareCaseInsensitively()
{
    QCOMPARE(nameKey(QStringLiteral("Alice")), nameKey(QStringLiteral("aLICE")));
    // Composed and decomposed forms of the same name are the same name.
    QCOMPARE(nameKey(QString::fromUtf8("Jos\xC3\xA9")), nameKey(QString::fromUtf8("Jose\xCC\x81")));
    QVERIFY(nameKey(QStringLiteral("ann")) != nameKey(QStringLiteral("anne")));
}

void TestProtocol::truncatesOnCharacterBoundary_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<int>("expectedBytes");
    QTest::addRow("short text unchanged") << "abc" << 123 << 3;
    QTest::addRow("ASCII cut") << QString(200, QLatin1Char('a')) << 123 << 123;
    QTest::addRow("two-byte chars, odd limit") << QString(100, QChar(0xE9)) << 123 << 122;
    QTest::addRow("four-byte chars")
        << QString::fromUtf8("\xF0\x9F\x98\x80").repeated(40) << 123 << 120;
}

void TestProtocol::truncatesOnCharacterBoundary()
{
    QFETCH(QString, text);
    QFETCH(int, maxBytes);
    QFETCH(int, expectedBytes);
    const QByteArray cut = truncateUtf8(text, maxBytes);
    QCOMPARE(cut.size(), expectedBytes);
    QVERIFY(text.startsWith(QString::fromUtf8(cut))); // no replacement character
}

void TestProtocol::timestampsAreUtcWithMilliseconds()
{
    const QDateTime t(QDate(2026, 12, 3), QTime(9, 5, 7, 42), Qt::UTC);
    QCOMPARE(timestamp(t), QStringLiteral("2026-12-03T09:05:07.042Z"));
}

void TestProtocol::errorFrameCarriesRef()
{
    QCOMPARE(errorFrame(QStringLiteral("bad_json"), QStringLiteral("m")),
             QByteArray(R"({"code":"bad_json","message":"m","type":"error"})"));
    QCOMPARE(errorFrame(QStringLiteral("no_such_room"), QStringLiteral("m"), QStringLiteral("c1")),
             QByteArray(R"({"code":"no_such_room","message":"m","ref":"c1","type":"error"})"));
}

QTEST_APPLESS_MAIN(TestProtocol)
#include "tst_protocol.moc"

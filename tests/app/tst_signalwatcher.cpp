#include <csignal>

#include <QSignalSpy>
#include <QTest>

#include "signalwatcher.h"

class TestSignalWatcher : public QObject
{
    Q_OBJECT

private slots:
    void signalBecomesQtSignal_data();
    void signalBecomesQtSignal();
};

void TestSignalWatcher::signalBecomesQtSignal_data()
{
    QTest::addColumn<int>("signalNumber");

    QTest::addRow("SIGINT, as from Ctrl-C") << int(SIGINT);
    QTest::addRow("SIGTERM, as from kill or a service manager") << int(SIGTERM);
}

// Each row makes a fresh watcher, so this also shows a watcher can follow a destroyed one.
void TestSignalWatcher::signalBecomesQtSignal()
{
#ifndef Q_OS_UNIX
    QSKIP("signals are watched on Unix only");
#endif
    QFETCH(int, signalNumber);

    SignalWatcher watcher;
    QVERIFY(watcher.isActive());
    QSignalSpy spy(&watcher, &SignalWatcher::terminationRequested);

    QCOMPARE(std::raise(signalNumber), 0);
    QTRY_COMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), signalNumber);
}

QTEST_GUILESS_MAIN(TestSignalWatcher)
#include "tst_signalwatcher.moc"

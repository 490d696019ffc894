// The console's models, fed from a real hub's snapshots, events and room feed, each under
// QAbstractItemModelTester, with the signals of every update counted.
#include <memory>

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QPersistentModelIndex>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include "connectionsmodel.h"
#include "eventlogmodel.h"
#include "hubservice.h"
#include "roommembersmodel.h"
#include "roommessagesmodel.h"
#include "roomsmodel.h"
#include "testclient.h"
#include "throughputhistory.h"
#include "usersmodel.h"

namespace {

using Tester = QAbstractItemModelTester;
constexpr auto Fatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

// Every signal that tells a view something about its rows.
struct ModelSignals
{
    explicit ModelSignals(QAbstractItemModel *model)
        : inserted(model, &QAbstractItemModel::rowsInserted)
        , removed(model, &QAbstractItemModel::rowsRemoved)
        , changed(model, &QAbstractItemModel::dataChanged)
        , reset(model, &QAbstractItemModel::modelReset)
        , layout(model, &QAbstractItemModel::layoutChanged)
    { }

    int total() const
    {
        return int(inserted.size() + removed.size() + changed.size() + reset.size()
                   + layout.size());
    }

    void clear()
    {
        inserted.clear();
        removed.clear();
        changed.clear();
        reset.clear();
        layout.clear();
    }

    // The first and last row of one rowsInserted/rowsRemoved or dataChanged signal.
    static QPair<int, int> rows(const QList<QVariant> &arguments)
    {
        if (arguments.at(0).canConvert<QModelIndex>()
            && arguments.at(0).value<QModelIndex>().isValid())
            return {arguments.at(0).value<QModelIndex>().row(),
                    arguments.at(1).value<QModelIndex>().row()};
        return {arguments.at(1).toInt(), arguments.at(2).toInt()};
    }

    QSignalSpy inserted;
    QSignalSpy removed;
    QSignalSpy changed;
    QSignalSpy reset;
    QSignalSpy layout;
};

QString shown(const QAbstractItemModel &model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

QVariant roleOf(const QAbstractItemModel &model, int row, int column, int role)
{
    return model.data(model.index(row, column), role);
}

QJsonObject say(const QString &room, const QString &text)
{
    return frame(QStringLiteral("say"),
                 {{QStringLiteral("room"), room}, {QStringLiteral("text"), text}});
}

QJsonObject status(const QString &value)
{
    return frame(QStringLiteral("status"), {{QStringLiteral("status"), value}});
}

QJsonObject leave(const QString &room)
{
    return frame(QStringLiteral("leave"), {{QStringLiteral("room"), room}});
}

const UserInfo *findUser(const HubSnapshot &snapshot, const QString &name)
{
    for (const UserInfo &user : snapshot.users) {
        if (user.name == name)
            return &user;
    }
    return nullptr;
}

QString statusIn(const HubSnapshot &snapshot, const QString &name)
{
    const UserInfo *user = findUser(snapshot, name);
    return user ? user->status : QString();
}

ConnectionInfo syntheticConnection(quint64 id, const QDateTime &start)
{
    ConnectionInfo connection;
    connection.id = id;
    connection.user = QStringLiteral("user%1").arg(id);
    connection.device = QStringLiteral("device");
    connection.peer = QStringLiteral("10.0.%1.%2:%3").arg(id / 250).arg(id % 250).arg(40000 + id);
    connection.connectedAt = start;
    connection.lastActivity = start;
    connection.messagesIn = id;
    connection.messagesOut = id * 3;
    connection.bytesIn = id * 100;
    connection.bytesOut = id * 300;
    connection.rooms = {QStringLiteral("general"), QStringLiteral("room%1").arg(id % 50)};
    return connection;
}

QList<ConnectionInfo> syntheticConnections(int count, const QDateTime &start)
{
    QList<ConnectionInfo> connections;
    connections.reserve(count);
    for (int i = 1; i <= count; ++i)
        connections.append(syntheticConnection(quint64(i), start));
    return connections;
}

HubSnapshot syntheticSnapshot(const QDateTime &time, double in, double out, double deliveries,
                              int connections)
{
    HubSnapshot snapshot;
    snapshot.takenAt = time;
    snapshot.totals.messagesInPerSecond = in;
    snapshot.totals.messagesOutPerSecond = out;
    snapshot.totals.deliveriesPerSecond = deliveries;
    snapshot.totals.connections = connections;
    return snapshot;
}

HubEvent syntheticEvent(int n)
{
    HubEvent event;
    event.time = QDateTime::currentDateTimeUtc();
    event.kind = HubEvent::Kind::Broadcast;
    event.detail = QStringLiteral("event %1").arg(n);
    return event;
}

double msSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

} // namespace

class TestModels : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void connectionsFollowTheHub();
    void connectionsShowValues();
    void connectionsSortNumerically();
    void connectionsUpdateInRuns();
    void connectionsAgeColumnOncePerSecond();
    void usersFollowTheHub();
    void roomsFollowTheHub();
    void roomMembersFollowTheRoom();
    void eventLogFromHubEvents();
    void eventLogLimit();
    void roomMessagesFromFeed();
    void roomMessagesLimit();
    void throughputWindow();
    void throughputPeaks();
    void setConnectionsTiming();

private:
    TestClient *connectClient(const QString &user, const QString &device = {},
                              const QString &token = {});
    void populate();
    HubSnapshot snapshot() { return m_hub->snapshot().result(); }

    std::unique_ptr<HubService> m_hub;
    QList<TestClient *> m_clients;
    TestClient *m_alicePhone = nullptr;
    TestClient *m_aliceLaptop = nullptr;
    TestClient *m_bob = nullptr;
    TestClient *m_carol = nullptr;
};

void TestModels::init()
{
    m_hub = std::make_unique<HubService>();
    QVERIFY2(m_hub->start(testHubConfig()), qPrintable(m_hub->errorString()));
    QVERIFY(m_hub->createRoom(QStringLiteral("random")).result().ok);
}

void TestModels::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_alicePhone = m_aliceLaptop = m_bob = m_carol = nullptr;
    m_hub->stop();
    m_hub.reset();
}

TestClient *TestModels::connectClient(const QString &user, const QString &device,
                                      const QString &token)
{
    auto *client = new TestClient(m_hub->port());
    m_clients.append(client);
    if (client->connectToHub())
        client->hello(user, device, token);
    return client;
}

// alice on her phone and laptop, bob and carol; general holds all three, random alice and bob.
void TestModels::populate()
{
    m_alicePhone = connectClient(QStringLiteral("alice"), QStringLiteral("phone"));
    QVERIFY(m_alicePhone->connectionId != 0);
    m_aliceLaptop =
        connectClient(QStringLiteral("alice"), QStringLiteral("laptop"), m_alicePhone->token);
    QVERIFY(m_aliceLaptop->connectionId != 0);
    m_bob = connectClient(QStringLiteral("bob"));
    QVERIFY(m_bob->connectionId != 0);
    m_carol = connectClient(QStringLiteral("carol"));
    QVERIFY(m_carol->connectionId != 0);

    const QString general = QStringLiteral("general");
    const QString random = QStringLiteral("random");
    QVERIFY(!m_alicePhone->join(general).isEmpty());
    QVERIFY(!m_alicePhone->join(random).isEmpty());
    QVERIFY(!m_aliceLaptop->join(general).isEmpty());
    QVERIFY(!m_bob->join(general).isEmpty());
    QVERIFY(!m_bob->join(random).isEmpty());
    QVERIFY(!m_carol->join(general).isEmpty());
}

void TestModels::connectionsFollowTheHub()
{
    populate();
    if (QTest::currentTestFailed())
        return;
    ConnectionsModel model;
    Tester tester(&model, Fatal);
    ModelSignals spy(&model);

    const HubSnapshot first = snapshot();
    model.setSnapshot(first);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(spy.reset.size(), 1); // the first fill
    const int bobRow = model.rowOfConnection(m_bob->connectionId);
    QVERIFY(bobRow >= 0);
    const QPersistentModelIndex bob(model.index(bobRow, ConnectionsModel::User));
    QCOMPARE(bob.data().toString(), QStringLiteral("bob"));

    spy.clear();
    model.setSnapshot(first);
    QCOMPARE(spy.total(), 0); // nothing changed, nothing said

    m_carol->socket().close();
    QVERIFY(m_carol->waitForDisconnected());
    QTRY_COMPARE(snapshot().connections.size(), 3);
    model.setSnapshot(snapshot());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(spy.removed.size(), 1);
    QCOMPARE(spy.inserted.size(), 0);
    QCOMPARE(spy.reset.size(), 0);
    QCOMPARE(spy.layout.size(), 0);
    QVERIFY(bob.isValid());
    QCOMPARE(bob.data().toString(), QStringLiteral("bob"));
    QCOMPARE(bob.data(ConnectionsModel::ConnectionIdRole).toULongLong(), m_bob->connectionId);
    QCOMPARE(model.rowOfConnection(m_carol->connectionId), -1);

    spy.clear();
    TestClient *dave = connectClient(QStringLiteral("dave"));
    QVERIFY(dave->connectionId != 0);
    QTRY_COMPARE(snapshot().connections.size(), 4);
    model.setSnapshot(snapshot());
    QCOMPARE(spy.inserted.size(), 1);
    QCOMPARE(ModelSignals::rows(spy.inserted.first()), qMakePair(3, 3)); // appended at the end
    QCOMPARE(spy.removed.size(), 0);
    QCOMPARE(spy.reset.size(), 0);
    QCOMPARE(model.rowOfConnection(dave->connectionId), 3);
    QCOMPARE(shown(model, 3, ConnectionsModel::User), QStringLiteral("dave"));
    QVERIFY(bob.isValid());
}

void TestModels::connectionsShowValues()
{
    populate();
    if (QTest::currentTestFailed())
        return;
    ConnectionsModel model;
    Tester tester(&model, Fatal);
    model.setSnapshot(snapshot());

    const int row = model.rowOfConnection(m_alicePhone->connectionId);
    QVERIFY(row >= 0);
    QCOMPARE(shown(model, row, ConnectionsModel::Id), QString::number(m_alicePhone->connectionId));
    QCOMPARE(shown(model, row, ConnectionsModel::User), QStringLiteral("alice"));
    QCOMPARE(shown(model, row, ConnectionsModel::Device), QStringLiteral("phone"));
    QVERIFY(shown(model, row, ConnectionsModel::Peer).startsWith(QStringLiteral("127.0.0.1:")));
    QCOMPARE(shown(model, row, ConnectionsModel::Rooms), QStringLiteral("general, random"));
    QVERIFY(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d$"))
                .match(shown(model, row, ConnectionsModel::ConnectedAt))
                .hasMatch());
    QVERIFY(shown(model, row, ConnectionsModel::LastActivity).endsWith(QStringLiteral("ago"))
            || shown(model, row, ConnectionsModel::LastActivity) == QStringLiteral("now"));
    QVERIFY(QRegularExpression(QStringLiteral("^\\d+ B$|KiB$"))
                .match(shown(model, row, ConnectionsModel::BytesIn))
                .hasMatch());
    QCOMPARE(roleOf(model, row, ConnectionsModel::Id, ConnectionsModel::UserNameRole).toString(),
             QStringLiteral("alice"));

    const QVariant bytesIn =
        roleOf(model, row, ConnectionsModel::BytesIn, ConnectionsModel::SortRole);
    QCOMPARE(bytesIn.typeId(), QMetaType::ULongLong);
    QVERIFY(bytesIn.toULongLong() > 0);
    QCOMPARE(roleOf(model, row, ConnectionsModel::ConnectedAt, ConnectionsModel::SortRole).typeId(),
             QMetaType::QDateTime);
    QCOMPARE(roleOf(model, row, ConnectionsModel::BytesIn, Qt::TextAlignmentRole).toInt(),
             int(Qt::AlignRight | Qt::AlignVCenter));
    QVERIFY(!roleOf(model, row, ConnectionsModel::User, Qt::TextAlignmentRole).isValid());
    QVERIFY(roleOf(model, row, ConnectionsModel::BytesIn, Qt::ToolTipRole)
                .toString()
                .endsWith(QStringLiteral("bytes")));
    QCOMPARE(model.headerData(ConnectionsModel::LastActivity, Qt::Horizontal).toString(),
             QStringLiteral("Last activity"));
    QCOMPARE(model.connectionAt(row).device, QStringLiteral("phone"));
    QCOMPARE(model.connectionAt(99).id, quint64(0));
}

void TestModels::connectionsSortNumerically()
{
    const QDateTime start = QDateTime::currentDateTimeUtc();
    QList<ConnectionInfo> connections;
    for (const quint64 bytes : {100000, 9, 10}) {
        ConnectionInfo connection = syntheticConnection(bytes, start);
        connection.bytesIn = bytes;
        connections.append(connection);
    }
    ConnectionsModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(ConnectionsModel::SortRole);
    Tester tester(&model, Fatal);
    Tester proxyTester(&proxy, Fatal);
    model.setConnections(connections);

    // As text "10 B" < "9 B" < "97.7 KiB"; as numbers 9 < 10 < 100000.
    proxy.sort(ConnectionsModel::BytesIn);
    QCOMPARE(shown(proxy, 0, ConnectionsModel::BytesIn), QStringLiteral("9 B"));
    QCOMPARE(shown(proxy, 1, ConnectionsModel::BytesIn), QStringLiteral("10 B"));
    QCOMPARE(shown(proxy, 2, ConnectionsModel::BytesIn), QStringLiteral("97.7 KiB"));

    ConnectionInfo bigger = connections.at(1);
    bigger.bytesIn = 5 * 1024 * 1024;
    connections[1] = bigger;
    model.setConnections(connections);
    QCOMPARE(shown(proxy, 2, ConnectionsModel::BytesIn), QStringLiteral("5.0 MiB"));
}

// Changed rows in runs, vanished rows in descending runs, new rows in one insertion.
void TestModels::connectionsUpdateInRuns()
{
    const QDateTime start = QDateTime::currentDateTimeUtc();
    QList<ConnectionInfo> connections = syntheticConnections(10, start); // ids 1..10, rows 0..9
    ConnectionsModel model;
    model.setReferenceTime(start);
    Tester tester(&model, Fatal);
    model.setConnections(connections);
    const QPersistentModelIndex id8(model.index(7, ConnectionsModel::Id));
    ModelSignals spy(&model);

    QList<ConnectionInfo> next;
    for (const ConnectionInfo &connection : connections) {
        if (connection.id == 4 || connection.id == 5 || connection.id == 9)
            continue;
        ConnectionInfo updated = connection;
        if (updated.id == 2 || updated.id == 3 || updated.id == 7)
            updated.messagesIn += 1;
        next.append(updated);
    }
    next.prepend(syntheticConnection(11, start)); // new rows go to the end wherever they come
    next.append(syntheticConnection(12, start));
    model.setConnections(next);

    QCOMPARE(spy.reset.size(), 0);
    QCOMPARE(spy.removed.size(), 2);
    QCOMPARE(ModelSignals::rows(spy.removed.at(0)), qMakePair(8, 8)); // id 9, from the bottom up
    QCOMPARE(ModelSignals::rows(spy.removed.at(1)), qMakePair(3, 4)); // ids 4 and 5
    QCOMPARE(spy.changed.size(), 2);
    QCOMPARE(ModelSignals::rows(spy.changed.at(0)), qMakePair(1, 2)); // ids 2 and 3
    QCOMPARE(ModelSignals::rows(spy.changed.at(1)), qMakePair(4, 4)); // id 7, now on row 4
    QCOMPARE(spy.changed.at(0).at(0).value<QModelIndex>().column(), 0);
    QCOMPARE(spy.changed.at(0).at(1).value<QModelIndex>().column(),
             ConnectionsModel::ColumnCount - 1);
    QCOMPARE(spy.inserted.size(), 1);
    QCOMPARE(ModelSignals::rows(spy.inserted.first()), qMakePair(7, 8));

    QList<quint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.connectionAt(row).id);
    QCOMPARE(ids, (QList<quint64> {1, 2, 3, 6, 7, 8, 10, 11, 12}));
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.rowOfConnection(ids.at(row)), row);
    QCOMPARE(id8.row(), 5);
    QCOMPARE(id8.data().toString(), QStringLiteral("8"));
    QCOMPARE(model.connectionAt(1).messagesIn, quint64(3));

    spy.clear();
    model.setConnections({});
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(spy.removed.size(), 1);
    QCOMPARE(spy.reset.size(), 0);
}

// "12 s ago" counts from the reference; it changes once per second of the reference, for the
// whole column in one signal.
void TestModels::connectionsAgeColumnOncePerSecond()
{
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
    ConnectionsModel model;
    Tester tester(&model, Fatal);
    model.setReferenceTime(start.addSecs(12));
    model.setConnections(syntheticConnections(5, start));
    QCOMPARE(shown(model, 0, ConnectionsModel::LastActivity), QStringLiteral("12 s ago"));
    ModelSignals spy(&model);

    model.setReferenceTime(start.addMSecs(12700));
    QCOMPARE(spy.total(), 0);

    model.setReferenceTime(start.addSecs(125));
    QCOMPARE(spy.changed.size(), 1);
    const QModelIndex topLeft = spy.changed.first().at(0).value<QModelIndex>();
    const QModelIndex bottomRight = spy.changed.first().at(1).value<QModelIndex>();
    QCOMPARE(topLeft, model.index(0, ConnectionsModel::LastActivity));
    QCOMPARE(bottomRight, model.index(4, ConnectionsModel::LastActivity));
    QCOMPARE(shown(model, 4, ConnectionsModel::LastActivity), QStringLiteral("2 min ago"));

    model.setReferenceTime(start.addSecs(2 * 3600 + 5));
    QCOMPARE(shown(model, 0, ConnectionsModel::LastActivity), QStringLiteral("2 h ago"));
    model.setReferenceTime(start);
    QCOMPARE(shown(model, 0, ConnectionsModel::LastActivity), QStringLiteral("now"));
}

void TestModels::usersFollowTheHub()
{
    populate();
    if (QTest::currentTestFailed())
        return;
    UsersModel model;
    Tester tester(&model, Fatal);
    ModelSignals spy(&model);

    model.setUsers(snapshot().users);
    QCOMPARE(model.rowCount(), 3);
    const int alice = model.rowOfUser(QStringLiteral("ALICE")); // the engine's name rules
    QVERIFY(alice >= 0);
    QCOMPARE(shown(model, alice, UsersModel::Name), QStringLiteral("alice"));
    QCOMPARE(shown(model, alice, UsersModel::Devices), QStringLiteral("2"));
    QCOMPARE(shown(model, alice, UsersModel::Status), QStringLiteral("online"));
    QCOMPARE(shown(model, alice, UsersModel::Rooms), QStringLiteral("general, random"));
    QCOMPARE(shown(model, alice, UsersModel::LastSeen), QStringLiteral("now"));
    QCOMPARE(roleOf(model, alice, UsersModel::Status, Qt::DecorationRole).value<QColor>(),
             UsersModel::statusColor(QStringLiteral("online")));
    QVERIFY(!roleOf(model, alice, UsersModel::Name, Qt::ForegroundRole).isValid());
    QCOMPARE(roleOf(model, alice, UsersModel::Devices, UsersModel::SortRole).typeId(),
             QMetaType::Int);
    const QPersistentModelIndex aliceIndex(model.index(alice, UsersModel::Name));

    // Online users' lastSeen is the snapshot's time; a new snapshot alone changes nothing shown.
    spy.clear();
    const HubSnapshot quiet = snapshot();
    model.setUsers(quiet.users);
    QCOMPARE(spy.total(), 0);
    QCOMPARE(model.userAt(alice).lastSeen, quiet.takenAt);

    m_bob->send(status(QStringLiteral("away")));
    QTRY_COMPARE(statusIn(snapshot(), QStringLiteral("bob")), QStringLiteral("away"));
    model.setUsers(snapshot().users);
    const int bob = model.rowOfUser(QStringLiteral("bob"));
    QCOMPARE(spy.changed.size(), 1);
    QCOMPARE(ModelSignals::rows(spy.changed.first()), qMakePair(bob, bob));
    QCOMPARE(spy.total(), 1);
    QCOMPARE(shown(model, bob, UsersModel::Status), QStringLiteral("away"));
    QCOMPARE(roleOf(model, bob, UsersModel::Status, Qt::DecorationRole).value<QColor>(),
             UsersModel::statusColor(QStringLiteral("away")));
    QCOMPARE(roleOf(model, bob, UsersModel::Name, UsersModel::StatusRole).toString(),
             QStringLiteral("away"));

    spy.clear();
    m_carol->socket().close();
    QVERIFY(m_carol->waitForDisconnected());
    QTRY_COMPARE(statusIn(snapshot(), QStringLiteral("carol")), QStringLiteral("offline"));
    model.setUsers(snapshot().users);
    const int carol = model.rowOfUser(QStringLiteral("carol"));
    QCOMPARE(model.rowCount(), 3); // recently seen, so still listed
    QCOMPARE(spy.changed.size(), 1);
    QCOMPARE(ModelSignals::rows(spy.changed.first()), qMakePair(carol, carol));
    QCOMPARE(spy.removed.size() + spy.inserted.size() + spy.reset.size(), 0);
    QCOMPARE(roleOf(model, carol, UsersModel::Name, Qt::ForegroundRole).value<QColor>(),
             UsersModel::statusColor(QStringLiteral("offline")));
    QCOMPARE(shown(model, carol, UsersModel::Devices), QStringLiteral("0"));
    QVERIFY(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d$"))
                .match(shown(model, carol, UsersModel::LastSeen))
                .hasMatch());
    QVERIFY(aliceIndex.isValid());
    QCOMPARE(aliceIndex.row(), alice);
    QCOMPARE(aliceIndex.data().toString(), QStringLiteral("alice"));
}

void TestModels::roomsFollowTheHub()
{
    populate();
    if (QTest::currentTestFailed())
        return;
    RoomsModel model;
    Tester tester(&model, Fatal);
    ModelSignals spy(&model);

    model.setRooms(snapshot().rooms);
    QCOMPARE(model.rowCount(), 2);
    const int general = model.rowOfRoom(QStringLiteral("GENERAL"));
    QVERIFY(general >= 0);
    QCOMPARE(shown(model, general, RoomsModel::Members), QStringLiteral("3"));
    QCOMPARE(shown(model, general, RoomsModel::Rate), QStringLiteral("0.0"));
    QCOMPARE(roleOf(model, general, RoomsModel::Members, Qt::ToolTipRole).toString(),
             QStringLiteral("alice, bob, carol"));
    QCOMPARE(shown(model, model.rowOfRoom(QStringLiteral("random")), RoomsModel::Members),
             QStringLiteral("2"));
    const QPersistentModelIndex generalIndex(model.index(general, RoomsModel::Name));

    spy.clear();
    QVERIFY(m_hub->createRoom(QStringLiteral("lobby"), QStringLiteral("say hi")).result().ok);
    model.setRooms(snapshot().rooms);
    QCOMPARE(spy.inserted.size(), 1);
    QCOMPARE(spy.total(), 1);
    QCOMPARE(model.rowOfRoom(QStringLiteral("lobby")), 2);
    QCOMPARE(shown(model, 2, RoomsModel::Topic), QStringLiteral("say hi"));
    QCOMPARE(shown(model, 2, RoomsModel::Members), QStringLiteral("0"));

    spy.clear();
    QVERIFY(m_hub->deleteRoom(QStringLiteral("random")).result().ok);
    model.setRooms(snapshot().rooms);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(spy.removed.size(), 1);
    QCOMPARE(spy.total(), 1); // general and lobby unchanged
    QCOMPARE(model.rowOfRoom(QStringLiteral("random")), -1);
    QCOMPARE(model.roomAt(model.rowOfRoom(QStringLiteral("lobby"))).topic,
             QStringLiteral("say hi"));
    QVERIFY(generalIndex.isValid());
    QCOMPARE(generalIndex.data().toString(), QStringLiteral("general"));

    spy.clear();
    m_bob->send(say(QStringLiteral("general"), QStringLiteral("hello")));
    QVERIFY(!m_alicePhone->waitFor(QStringLiteral("message")).isEmpty());
    model.setRooms(snapshot().rooms);
    QVERIFY(spy.changed.size() >= 1);
    for (const QList<QVariant> &change : std::as_const(spy.changed))
        QCOMPARE(ModelSignals::rows(change), qMakePair(generalIndex.row(), generalIndex.row()));
    QCOMPARE(shown(model, generalIndex.row(), RoomsModel::LastSeq), QStringLiteral("1"));
    QCOMPARE(roleOf(model, generalIndex.row(), RoomsModel::LastSeq, RoomsModel::SortRole).typeId(),
             QMetaType::ULongLong);
}

void TestModels::roomMembersFollowTheRoom()
{
    populate();
    if (QTest::currentTestFailed())
        return;
    RoomMembersModel model;
    Tester tester(&model, Fatal);
    ModelSignals spy(&model);

    model.setSnapshot(snapshot());
    QCOMPARE(model.rowCount(), 0); // no room chosen yet
    model.setRoom(QStringLiteral("general"));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(spy.reset.size(), 1);
    QCOMPARE(shown(model, 0, RoomMembersModel::User), QStringLiteral("alice"));
    QCOMPARE(shown(model, 1, RoomMembersModel::User), QStringLiteral("bob"));
    QCOMPARE(shown(model, 2, RoomMembersModel::User), QStringLiteral("carol"));
    QCOMPARE(shown(model, 1, RoomMembersModel::Status), QStringLiteral("online"));
    const QPersistentModelIndex alice(model.index(0, RoomMembersModel::User));

    spy.clear();
    model.setRoom(QStringLiteral("General"));
    QCOMPARE(spy.total(), 0);
    QCOMPARE(model.room(), QStringLiteral("General"));

    m_bob->send(status(QStringLiteral("busy")));
    QTRY_COMPARE(statusIn(snapshot(), QStringLiteral("bob")), QStringLiteral("busy"));
    model.setSnapshot(snapshot());
    QCOMPARE(spy.changed.size(), 1);
    QCOMPARE(ModelSignals::rows(spy.changed.first()), qMakePair(1, 1));
    QCOMPARE(spy.total(), 1);
    QCOMPARE(roleOf(model, 1, RoomMembersModel::Status, Qt::DecorationRole).value<QColor>(),
             UsersModel::statusColor(QStringLiteral("busy")));

    spy.clear();
    m_carol->send(leave(QStringLiteral("general")));
    QVERIFY(!m_carol->waitFor(QStringLiteral("left")).isEmpty());
    model.setSnapshot(snapshot());
    QCOMPARE(spy.removed.size(), 1);
    QCOMPARE(spy.total(), 1);
    QCOMPARE(model.rowOfMember(QStringLiteral("carol")), -1);

    spy.clear();
    TestClient *dave = connectClient(QStringLiteral("dave"));
    QVERIFY(!dave->join(QStringLiteral("general")).isEmpty());
    model.setSnapshot(snapshot());
    QCOMPARE(spy.inserted.size(), 1);
    QCOMPARE(spy.total(), 1);
    QCOMPARE(model.rowOfMember(QStringLiteral("dave")), 2);
    QVERIFY(alice.isValid());
    QCOMPARE(alice.data().toString(), QStringLiteral("alice"));

    spy.clear();
    model.setRoom(QStringLiteral("random"));
    QCOMPARE(spy.reset.size(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.memberAt(1).name, QStringLiteral("bob"));

    spy.clear();
    QVERIFY(m_hub->deleteRoom(QStringLiteral("random")).result().ok);
    model.setSnapshot(snapshot());
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(spy.removed.size(), 1);
    QCOMPARE(spy.reset.size(), 0);
}

void TestModels::eventLogFromHubEvents()
{
    EventLogModel model;
    Tester tester(&model, Fatal);
    ModelSignals spy(&model);
    QSignalSpy batches(m_hub.get(), &HubService::eventsOccurred);
    connect(m_hub.get(), &HubService::eventsOccurred, &model, &EventLogModel::appendEvents);
    QCOMPARE(model.limit(), 5000);

    TestClient *bob = connectClient(QStringLiteral("bob"));
    QVERIFY(!bob->join(QStringLiteral("general")).isEmpty());
    QVERIFY(m_hub->kickUser(QStringLiteral("bob"), QStringLiteral("spam")).result().ok);
    QVERIFY(bob->waitForDisconnected());

    auto rowOf = [&model](HubEvent::Kind kind) {
        for (int row = 0; row < model.rowCount(); ++row) {
            if (roleOf(model, row, 0, EventLogModel::KindRole).toInt() == int(kind))
                return row;
        }
        return -1;
    };
    QTRY_VERIFY(rowOf(HubEvent::Kind::Disconnected) >= 0);
    const int connected = rowOf(HubEvent::Kind::Connected);
    const int joined = rowOf(HubEvent::Kind::Joined);
    const int kicked = rowOf(HubEvent::Kind::Kicked);
    const int left = rowOf(HubEvent::Kind::Left);
    const int disconnected = rowOf(HubEvent::Kind::Disconnected);
    QVERIFY(connected >= 0 && joined > connected && kicked > joined);
    QVERIFY(left > kicked && disconnected > kicked); // newest at the bottom

    QCOMPARE(shown(model, joined, EventLogModel::Kind), QStringLiteral("joined"));
    QCOMPARE(shown(model, joined, EventLogModel::User), QStringLiteral("bob"));
    QCOMPARE(shown(model, joined, EventLogModel::Room), QStringLiteral("general"));
    QCOMPARE(shown(model, kicked, EventLogModel::Kind), QStringLiteral("kicked"));
    QCOMPARE(shown(model, kicked, EventLogModel::User), QStringLiteral("bob"));
    QVERIFY(shown(model, kicked, EventLogModel::Detail).contains(QStringLiteral("spam")));
    QCOMPARE(roleOf(model, kicked, EventLogModel::Kind, Qt::ForegroundRole).value<QColor>(),
             EventLogModel::warningColor());
    QVERIFY(!roleOf(model, joined, EventLogModel::Kind, Qt::ForegroundRole).isValid());
    QCOMPARE(roleOf(model, kicked, EventLogModel::Time, EventLogModel::SortRole).typeId(),
             QMetaType::QDateTime);
    QVERIFY(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d$"))
                .match(shown(model, kicked, EventLogModel::Time))
                .hasMatch());

    // One insertion per batch, nothing else.
    QCOMPARE(spy.inserted.size(), batches.size());
    QCOMPARE(spy.removed.size() + spy.reset.size() + spy.changed.size(), 0);

    QCOMPARE(EventLogModel::kindName(HubEvent::Kind::HeartbeatTimeout),
             QStringLiteral("timed out"));
    QCOMPARE(EventLogModel::kindName(HubEvent::Kind::SlowConsumer),
             QStringLiteral("slow consumer closed"));
    QCOMPARE(EventLogModel::kindName(HubEvent::Kind::Broadcast), QStringLiteral("broadcast"));
    QCOMPARE(EventLogModel::kindName(HubEvent::Kind::Left), QStringLiteral("left"));

    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestModels::eventLogLimit()
{
    EventLogModel model;
    Tester tester(&model, Fatal);
    connect(m_hub.get(), &HubService::eventsOccurred, &model, &EventLogModel::appendEvents);

    TestClient *bob = connectClient(QStringLiteral("bob"));
    QVERIFY(!bob->join(QStringLiteral("general")).isEmpty());
    QTRY_COMPARE(model.eventAt(model.rowCount() - 1).kind, HubEvent::Kind::Joined);
    ModelSignals spy(&model);

    model.setLimit(1);
    QCOMPARE(model.limit(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(spy.removed.size(), 1);
    QCOMPARE(model.eventAt(0).kind, HubEvent::Kind::Joined); // the newest stays

    spy.clear();
    model.setLimit(3);
    QSignalSpy batches(m_hub.get(), &HubService::eventsOccurred);
    QVERIFY(m_hub->kickUser(QStringLiteral("bob"), QStringLiteral("bye")).result().ok);
    // Left, the kick's audit entry as a Moderation event, then Disconnected once the client
    // has answered the close.
    QTRY_VERIFY(model.rowCount() == 3 && model.eventAt(2).kind == HubEvent::Kind::Disconnected);
    QCOMPARE(model.eventAt(1).kind, HubEvent::Kind::Moderation);
    QVERIFY(spy.removed.size() <= batches.size()); // at most one removal per batch
    QCOMPARE(spy.inserted.size(), batches.size());

    // A batch longer than the limit: only its newest rows, one removal and one insertion.
    QList<HubEvent> many;
    for (int i = 0; i < 10; ++i)
        many.append(syntheticEvent(i));
    spy.clear();
    model.appendEvents(many);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(spy.removed.size(), 1);
    QCOMPARE(spy.inserted.size(), 1);
    QCOMPARE(model.eventAt(0).detail, QStringLiteral("event 7"));
    QCOMPARE(model.eventAt(2).detail, QStringLiteral("event 9"));
    QCOMPARE(shown(model, 2, EventLogModel::Kind), QStringLiteral("broadcast"));
}

void TestModels::roomMessagesFromFeed()
{
    RoomMessagesModel model;
    Tester tester(&model, Fatal);
    model.setRoom(QStringLiteral("general"));
    m_hub->setRoomFeedEnabled(true);
    connect(m_hub.get(), &HubService::roomMessagesArrived, &model,
            &RoomMessagesModel::appendMessages);

    TestClient *bob = connectClient(QStringLiteral("bob"));
    QVERIFY(!bob->join(QStringLiteral("general")).isEmpty());
    QVERIFY(!bob->join(QStringLiteral("random")).isEmpty());
    bob->send(say(QStringLiteral("general"), QStringLiteral("hello general")));
    bob->send(say(QStringLiteral("random"), QStringLiteral("hello random")));
    bob->send(say(QStringLiteral("general"), QStringLiteral("two\nlines")));

    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(shown(model, 0, RoomMessagesModel::From), QStringLiteral("bob"));
    QCOMPARE(shown(model, 0, RoomMessagesModel::Text), QStringLiteral("hello general"));
    QCOMPARE(shown(model, 0, RoomMessagesModel::Seq), QStringLiteral("1"));
    QCOMPARE(shown(model, 1, RoomMessagesModel::Seq), QStringLiteral("2"));
    QVERIFY(!shown(model, 1, RoomMessagesModel::Text).contains(QLatin1Char('\n')));
    QCOMPARE(roleOf(model, 1, RoomMessagesModel::Text, Qt::ToolTipRole).toString(),
             QStringLiteral("two\nlines"));
    QVERIFY(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d$"))
                .match(shown(model, 0, RoomMessagesModel::Time))
                .hasMatch());

    ModelSignals spy(&model);
    model.setRoom(QStringLiteral("random"));
    QCOMPARE(model.room(), QStringLiteral("random"));
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(spy.reset.size(), 1);

    bob->send(say(QStringLiteral("general"), QStringLiteral("not shown")));
    bob->send(say(QStringLiteral("random"), QStringLiteral("shown")));
    QTRY_COMPARE(model.rowCount(), 1);
    QCOMPARE(shown(model, 0, RoomMessagesModel::Text), QStringLiteral("shown"));
    QCOMPARE(model.messageAt(0).room, QStringLiteral("random"));
}

void TestModels::roomMessagesLimit()
{
    RoomMessagesModel model;
    Tester tester(&model, Fatal);
    QCOMPARE(model.limit(), 1000);
    model.setRoom(QStringLiteral("general"));
    m_hub->setRoomFeedEnabled(true);
    QSignalSpy batches(m_hub.get(), &HubService::roomMessagesArrived);
    connect(m_hub.get(), &HubService::roomMessagesArrived, &model,
            &RoomMessagesModel::appendMessages);
    model.setLimit(3);
    ModelSignals spy(&model);

    TestClient *bob = connectClient(QStringLiteral("bob"));
    QVERIFY(!bob->join(QStringLiteral("general")).isEmpty());
    for (int i = 1; i <= 8; ++i)
        bob->send(say(QStringLiteral("general"), QStringLiteral("message %1").arg(i)));
    QTRY_COMPARE(model.messageAt(model.rowCount() - 1).text, QStringLiteral("message 8"));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(shown(model, 0, RoomMessagesModel::Text), QStringLiteral("message 6"));
    QCOMPARE(spy.inserted.size(), batches.size());
    QVERIFY(spy.removed.size() <= batches.size());

    spy.clear();
    model.setLimit(1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(spy.removed.size(), 1);
    QCOMPARE(shown(model, 0, RoomMessagesModel::Text), QStringLiteral("message 8"));
}

void TestModels::throughputWindow()
{
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
    ThroughputHistory history(10);
    QVERIFY(history.samples().isEmpty());
    QCOMPARE(history.peakRate(), 0.0);

    for (int second = 0; second <= 20; ++second)
        history.add(syntheticSnapshot(start.addSecs(second), second, 0, 0, second));
    QCOMPARE(history.samples().size(), 11); // seconds 10 to 20: the window counts back from 20
    QCOMPARE(history.samples().first().time, start.addSecs(10));
    QCOMPARE(history.samples().last().time, start.addSecs(20));
    QCOMPARE(history.samples().last().messagesInPerSecond, 20.0);
    QCOMPARE(history.samples().last().connections, 20);

    history.add(HubSnapshot()); // no time: ignored
    QCOMPARE(history.samples().size(), 11);

    history.add(syntheticSnapshot(start.addSecs(20), 1, 1, 1, 1)); // the same time again
    QCOMPARE(history.samples().size(), 11);
    QCOMPARE(history.samples().last().messagesInPerSecond, 1.0);

    history.add(syntheticSnapshot(start.addSecs(100), 5, 5, 5, 5)); // a gap: all else expires
    QCOMPARE(history.samples().size(), 1);

    history.add(syntheticSnapshot(start.addSecs(50), 2, 2, 2, 2)); // clock set back
    QCOMPARE(history.samples().size(), 1);
    QCOMPARE(history.samples().first().time, start.addSecs(50));
    QCOMPARE(ThroughputHistory().seconds(), 300);
}

void TestModels::throughputPeaks()
{
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
    ThroughputHistory history(60);
    history.add(syntheticSnapshot(start, 10, 30, 5, 7));
    history.add(syntheticSnapshot(start.addMSecs(500), 12, 8, 44.5, 3));
    history.add(syntheticSnapshot(start.addSecs(30), 1, 2, 3, 4));
    QCOMPARE(history.peakRate(), 44.5);
    QCOMPARE(history.peakConnections(), 7);

    history.add(syntheticSnapshot(start.addSecs(61), 1, 1, 1, 1)); // the first two expire
    QCOMPARE(history.samples().size(), 2);
    QCOMPARE(history.peakRate(), 3.0);
    QCOMPARE(history.peakConnections(), 4);
}

// Not a pass/fail test: how long setConnections takes at the console's target scale.
void TestModels::setConnectionsTiming()
{
    constexpr int Rows = 10000;
    constexpr int Changed = 1000;
    const QDateTime start = QDateTime::currentDateTimeUtc();
    const QList<ConnectionInfo> connections = syntheticConnections(Rows, start);
    QList<ConnectionInfo> changed = connections;
    for (int row = 0; row < Rows; row += Rows / Changed)
        changed[row].messagesIn += 1;

    auto measure = [&](const char *setup, ConnectionsModel &model) {
        model.setReferenceTime(start);
        ModelSignals spy(&model);
        QElapsedTimer timer;
        timer.start();
        model.setConnections(connections);
        const double fill = msSince(timer);
        timer.restart();
        model.setConnections(changed);
        const double someChanged = msSince(timer);
        const int changeSignals = int(spy.changed.size());
        timer.restart();
        model.setConnections(changed);
        const double noneChanged = msSince(timer);
        qInfo("setConnections, %d rows, %s: first fill %.2f ms, %d changed %.2f ms "
              "(%d dataChanged), none changed %.2f ms",
              Rows, setup, fill, Changed, someChanged, changeSignals, noneChanged);
        QCOMPARE(model.rowCount(), Rows);
        QCOMPARE(spy.total(), 1 + Changed); // the fill's reset, one run per changed row
    };

    ConnectionsModel bare;
    measure("no view", bare);

    ConnectionsModel sorted;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&sorted);
    proxy.setSortRole(ConnectionsModel::SortRole);
    proxy.sort(ConnectionsModel::MessagesIn, Qt::DescendingOrder);
    measure("behind a sorting proxy", sorted);
}

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"

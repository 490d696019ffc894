// confab-screenshot: renders the console with live data to a PNG, so anyone can see what it
// looks like without a desktop. Starts the real MainWindow with its embedded hub, connects a
// dozen real WebSocket clients in a few rooms with mixed presence, lets them chat with a rising
// and falling rate so the charts have a curve, then grabs the window.
//
// Then, next to OUTPUT.png: join-dialog.png (the QR code), moderation.png (the bans and audit
// log tabs after a few bans, mutes and a deletion) and history.png (a room's history viewer).
//
// Usage: confab-screenshot [--seconds N] [--size WxH] [--select-user NAME] OUTPUT.png
// (scripts/screenshot.sh runs it)
#include <cmath>

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QRandomGenerator>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>

#include "connectinfo.h"
#include "historydialog.h"
#include "historymodel.h"
#include "hubservice.h"
#include "joindialog.h"
#include "mainwindow.h"

namespace {

struct Person
{
    const char *user;
    const char *device;
    const char *status; // online, away, busy
    QStringList rooms;
};

QStringList list(std::initializer_list<const char *> items)
{
    QStringList result;
    for (const char *item : items)
        result.append(QLatin1String(item));
    return result;
}

// One connection each; a second device of a user repeats the user with another device.
QList<Person> people()
{
    return {
        {"alice", "laptop", "online", list({"general", "lab"})},
        {"alice", "phone", "online", list({"general", "lab"})},
        {"bob", "desk", "online", list({"general", "lab", "random"})},
        {"carol", "laptop", "online", list({"general", "design"})},
        {"dave", "phone", "away", list({"general", "random"})},
        {"erin", "laptop", "online", list({"general", "design", "random"})},
        {"erin", "tablet", "online", list({"general", "design", "random"})},
        {"frank", "desk", "online", list({"general", "lab"})},
        {"grace", "laptop", "busy", list({"general", "design"})},
        {"heidi", "phone", "online", list({"general", "random"})},
        {"ivan", "laptop", "online", list({"general", "lab"})},
        {"judy", "desk", "away", list({"general", "design"})},
        {"mallory", "laptop", "online", list({"general", "lab", "random"})},
        {"oscar", "phone", "busy", list({"general", "random"})},
    };
}

const char *const lines[] = {
    "morning all",
    "is the printer in the lab free?",
    "standup moved to 10:15",
    "anyone seen the HDMI adapter",
    "pushed the fix, can someone review",
    "lunch at the usual place?",
    "new logo drafts are in the shared folder",
    "the wifi in room 2 is slow again",
    "brb",
    "thanks!",
    "I'll take that one",
    "coffee machine is fixed",
    "who booked the big room at 3",
    "ok, merging",
    "+1",
};

// A real client: hello, status, joins, and say on request. Keeps nothing it receives.
class ChatBot : public QObject
{
public:
    ChatBot(const Person &person, QObject *parent)
        : QObject(parent)
        , m_person(person)
    {
        connect(&m_socket, &QWebSocket::connected, this, &ChatBot::sayHello);
        connect(&m_socket, &QWebSocket::textMessageReceived, this, &ChatBot::received);
    }

    void open(quint16 port, const QString &token)
    {
        m_token = token;
        m_socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port)));
    }

    void say(const QString &text)
    {
        if (!m_ready)
            return;
        const auto pick = QRandomGenerator::global()->bounded(int(m_person.rooms.size()));
        send({{QStringLiteral("type"), QStringLiteral("say")},
              {QStringLiteral("room"), m_person.rooms.at(pick)},
              {QStringLiteral("text"), text}});
    }

    QString user() const { return QLatin1String(m_person.user); }
    QString token() const { return m_token; }
    bool isReady() const { return m_ready; }

private:
    void send(const QJsonObject &frame)
    {
        m_socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    }

    void sayHello()
    {
        QJsonObject hello {{QStringLiteral("type"), QStringLiteral("hello")},
                           {QStringLiteral("user"), user()},
                           {QStringLiteral("device"), QLatin1String(m_person.device)}};
        if (!m_token.isEmpty())
            hello.insert(QStringLiteral("token"), m_token);
        send(hello);
    }

    void received(const QString &text)
    {
        const QJsonObject frame = QJsonDocument::fromJson(text.toUtf8()).object();
        if (frame.value(QStringLiteral("type")).toString() != QLatin1String("welcome"))
            return;

        m_token = frame.value(QStringLiteral("token")).toString();
        if (qstrcmp(m_person.status, "online") != 0)
            send({{QStringLiteral("type"), QStringLiteral("status")},
                  {QStringLiteral("status"), QLatin1String(m_person.status)}});
        for (const QString &room : m_person.rooms)
            send(
                {{QStringLiteral("type"), QStringLiteral("join")}, {QStringLiteral("room"), room}});
        m_ready = true;
    }

    Person m_person;
    QWebSocket m_socket;
    QString m_token;
    bool m_ready = false;
};

// Connects everyone, second devices once their first device has a token.
QList<ChatBot *> connectPeople(quint16 port, QObject *parent)
{
    QList<ChatBot *> bots;
    for (const Person &person : people()) {
        auto *bot = new ChatBot(person, parent);
        QString token;
        for (const ChatBot *other : std::as_const(bots)) {
            if (other->user() == bot->user()) {
                QElapsedTimer clock;
                clock.start();
                while (other->token().isEmpty() && clock.elapsed() < 5000)
                    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
                token = other->token();
            }
        }
        bot->open(port, token);
        bots.append(bot);
    }
    return bots;
}

void runFor(int ms)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 20);
}

// Traffic that rises and falls over the run, a few messages a second at its peak per person.
void chat(const QList<ChatBot *> &bots, int seconds)
{
    QElapsedTimer clock;
    clock.start();
    double owed = 0;
    QTimer tick;
    tick.setInterval(50);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const double t = clock.elapsed() / 1000.0 / seconds;
        const double perSecond = 4 + 26 * std::pow(std::sin(M_PI * std::min(t * 1.25, 1.0)), 2);
        owed += perSecond * 0.05;
        for (; owed >= 1; owed -= 1) {
            auto *rng = QRandomGenerator::global();
            ChatBot *bot = bots.at(rng->bounded(int(bots.size())));
            bot->say(QLatin1String(lines[rng->bounded(int(std::size(lines)))]));
        }
    });
    tick.start();
    runFor(seconds * 1000);
}

// Selects the row whose first column reads `name` in the named view, as a click would.
bool selectRow(MainWindow *window, const char *viewName, const QString &name)
{
    auto *view = window->findChild<QTableView *>(QLatin1String(viewName));
    const QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data().toString() == name) {
            view->selectRow(row);
            return true;
        }
    }
    return false;
}

void setUpRooms(HubService *service)
{
    service->setTopic(QStringLiteral("general"), QStringLiteral("Office chat; be kind"));
    service->setTopic(QStringLiteral("lab"), QStringLiteral("3D printer queue and soldering"));
    service->setTopic(QStringLiteral("design"), QStringLiteral("Logo review at 3"));
}

// What an operator would have done by the end of a busy afternoon: two bans, two mutes, a room
// in slow mode and one deleted message, all in the audit log.
void moderate(HubService *service)
{
    service->ban(
        {false, QStringLiteral("mallory"), QStringLiteral("spamming the lab room"), 24 * 3600});
    service->ban({true, QStringLiteral("192.168.1.66"), QStringLiteral("port scanning"), 0});
    service->mute({QStringLiteral("oscar"), QStringLiteral("random"),
                   QStringLiteral("flooding, please slow down"), 3600});
    service->mute({QStringLiteral("dave"), {}, QStringLiteral("cool off"), 10 * 60});
    RoomSettingsChange lab;
    lab.slowModeS = 10;
    lab.maxMembers = 20;
    service->setRoomSettings(QStringLiteral("lab"), lab);
    const HistoryPage general = service->history(QStringLiteral("general"), 0, 0, 20).result();
    if (general.messages.size() > 5)
        service->deleteMessage(QStringLiteral("general"), general.messages.at(5).seq,
                               QStringLiteral("personal details"));
}

// The bans tab above the audit log tab, as the bottom band shows them, taller than usual.
bool grabModeration(MainWindow *window, const QString &output)
{
    auto *main = window->findChild<QSplitter *>(QStringLiteral("mainSplitter"));
    auto *tabs = window->findChild<QTabWidget *>(QStringLiteral("logTabs"));
    main->setSizes({220, 180, 440});
    QList<QPixmap> parts;
    for (int tab : {1, 3}) {
        tabs->setCurrentIndex(tab);
        runFor(300);
        parts.append(tabs->grab());
    }
    parts[0] = parts.at(0).copy(0, 0, parts.at(0).width(), 160); // a few bans need little room

    QImage image(parts.at(0).width(), parts.at(0).height() + parts.at(1).height(),
                 QImage::Format_ARGB32);
    image.fill(window->palette().window().color());
    QPainter painter(&image);
    painter.drawPixmap(0, 0, parts.at(0));
    painter.drawPixmap(0, parts.at(0).height(), parts.at(1));
    painter.end();
    return image.save(output);
}

bool grabHistory(MainWindow *window, const QString &output)
{
    window->findChild<QAction *>(QStringLiteral("historyAction"))->trigger();
    auto *dialog = window->findChild<HistoryDialog *>();
    if (!dialog)
        return false;
    QElapsedTimer clock;
    clock.start();
    while (dialog->isLoading() && clock.elapsed() < 5000)
        runFor(50);
    const int deleted = [dialog] {
        for (int row = 0; row < dialog->model()->rowCount(); ++row) {
            if (dialog->model()->messageAt(row).deleted)
                return row;
        }
        return dialog->model()->rowCount() - 3;
    }();
    dialog->view()->selectRow(std::max(0, deleted - 1));
    dialog->view()->scrollTo(dialog->model()->index(deleted, 0));
    runFor(200);
    return dialog->grab().save(output);
}

HubConfig screenshotConfig()
{
    HubConfig config;
    // Every interface, so the status bar shows the LAN address people would be given; the
    // hub lives only as long as this run.
    config.listenAddress = QHostAddress(QHostAddress::Any);
    config.port = 8765;
    config.rooms = list({"general", "lab", "design", "random"});
    config.operatorName = QStringLiteral("Front Desk");
    return config;
}

} // namespace

int main(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // A layout file of its own, so neither the operator's saved layout nor this run leaks.
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
    QApplication app(argc, argv);

    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("output"), QStringLiteral("PNG file to write"));
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Seconds of chat"),
                      QStringLiteral("n"), QStringLiteral("30")});
    parser.addOption({QStringLiteral("size"), QStringLiteral("Window size"), QStringLiteral("WxH"),
                      QStringLiteral("1400x900")});
    parser.addOption({QStringLiteral("select-user"),
                      QStringLiteral("Select this user, as the operator would"),
                      QStringLiteral("name")});
    parser.addHelpOption();
    parser.process(app);
    if (parser.positionalArguments().size() != 1)
        parser.showHelp(2);
    const QStringList size = parser.value(QStringLiteral("size")).split(QLatin1Char('x'));
    const int seconds = parser.value(QStringLiteral("seconds")).toInt();

    HubService service;
    MainWindow window(&service);
    HubConfig hub = screenshotConfig();
    window.resize(size.value(0).toInt(), size.value(1).toInt());
    window.show();

    // 8765 for a realistic address; a free port if a real hub already has it.
    if (ConnectInfo::isPortInUse(hub.listenAddress, hub.port))
        hub.port = 0;
    window.setHubConfig(hub);
    if (!window.startHub())
        return 1;

    setUpRooms(&service);
    const QList<ChatBot *> bots = connectPeople(service.port(), &app);
    runFor(1500);
    selectRow(&window, "roomsView", QStringLiteral("general"));
    if (parser.isSet(QStringLiteral("select-user")))
        selectRow(&window, "usersView", parser.value(QStringLiteral("select-user")));
    service.broadcast(QStringLiteral("Fire drill at 15:00"));
    chat(bots, seconds);

    // A kick late in the run, so the log and the charts show one; then the moderation.
    service.kickUser(QStringLiteral("heidi"), QStringLiteral("please use the random room"));
    moderate(&service);
    runFor(2 * MainWindow::SnapshotIntervalMs + 400);

    const QString output = parser.positionalArguments().constFirst();
    if (!window.grab().save(output)) {
        qCritical("cannot write %s", qUtf8Printable(output));
        return 1;
    }
    qInfo("wrote %s (%dx%d)", qUtf8Printable(output), window.width(), window.height());

    // The join dialog too, next to the main picture: the QR code people scan.
    JoinDialog join(window.connectUrls(), &window);
    join.resize(420, 480);
    join.show();
    runFor(200);
    const QString joinOutput = QFileInfo(output).path() + QStringLiteral("/join-dialog.png");
    if (join.grab().save(joinOutput))
        qInfo("wrote %s", qUtf8Printable(joinOutput));
    join.hide();

    const QString folder = QFileInfo(output).path();
    if (grabModeration(&window, folder + QStringLiteral("/moderation.png")))
        qInfo("wrote %s/moderation.png", qUtf8Printable(folder));
    if (grabHistory(&window, folder + QStringLiteral("/history.png")))
        qInfo("wrote %s/history.png", qUtf8Printable(folder));
    service.stop();
    return 0;
}

#pragma once

#include <QObject>
#include <QString>

class Hub;
class QLocalServer;
class QLocalSocket;
class QJsonObject;

// Where the control socket of the hub using dataDir lives. ctl clients and the hub both call
// this, so they always agree.
QString controlSocketPath(const QString &dataDir);

// The `confab ctl` endpoint: a QLocalServer in the data directory, owner-only, on the engine
// thread. One JSON object per line in, one per line out; docs/CONTROL.md has the commands.
class ControlServer : public QObject
{
    Q_OBJECT

public:
    explicit ControlServer(Hub *hub, QObject *parent = nullptr);
    ~ControlServer() override;

    bool listen(const QString &dataDir);
    QString errorString() const;

private:
    void acceptClients();
    void readRequests(QLocalSocket *socket);
    QJsonObject handle(const QJsonObject &request);

    Hub *m_hub;
    QLocalServer *m_server;
    QString m_errorString;
};

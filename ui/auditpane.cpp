#include "auditpane.h"

#include <QComboBox>
#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "auditmodel.h"
#include "csv.h"
#include "futureresult.h"
#include "hubservice.h"
#include "tablepane.h"

AuditPane::AuditPane(HubService *service, QWidget *parent)
    : QWidget(parent)
    , m_service(service)
    , m_model(new AuditModel(this))
    , m_table(new TablePane(tr("Audit log"), m_model, nullptr, this))
    , m_actor(new QLineEdit(this))
    , m_action(new QComboBox(this))
    , m_filters(new QHBoxLayout)
    , m_refreshTimer(new QTimer(this))
{
    m_table->setObjectName(QStringLiteral("auditPane"));
    m_table->view()->setObjectName(QStringLiteral("auditView"));
    m_table->setColumnWidths({70, 80, 104, 90, 64, 150});
    m_table->view()->sortByColumn(AuditModel::Time, Qt::DescendingOrder);
    m_table->filterEdit()->setPlaceholderText(tr("Any text"));
    m_table->filterEdit()->setMaximumWidth(160);

    m_actor->setObjectName(QStringLiteral("auditActor"));
    m_actor->setPlaceholderText(tr("anyone"));
    m_actor->setClearButtonEnabled(true);
    m_actor->setMaximumWidth(130);
    m_action->setObjectName(QStringLiteral("auditAction"));
    m_action->addItem(tr("any action"), QString());
    for (const QString &action : AuditModel::actions())
        m_action->addItem(AuditModel::actionName(action), action);

    m_filters->setContentsMargins(2, 0, 0, 0);
    m_filters->addWidget(new QLabel(tr("By:"), this));
    m_filters->addWidget(m_actor);
    m_filters->addWidget(new QLabel(tr("Action:"), this));
    m_filters->addWidget(m_action);
    m_filters->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(m_filters);
    layout->addWidget(m_table, 1);

    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(RefreshDelayMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &AuditPane::refresh);
    connect(m_actor, &QLineEdit::textChanged, this, &AuditPane::scheduleRefresh);
    connect(m_action, &QComboBox::currentIndexChanged, this, &AuditPane::refresh);
}

AuditFilter AuditPane::filter() const
{
    AuditFilter filter;
    filter.actor = m_actor->text().trimmed();
    filter.action = m_action->currentData().toString();
    filter.limit = FetchLimit;
    return filter;
}

void AuditPane::addToolAction(QAction *action)
{
    auto *button = new QToolButton(this);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setAutoRaise(true);
    m_filters->addWidget(button);
}

void AuditPane::refresh()
{
    m_refreshTimer->stop();
    if (!m_service->isRunning())
        return;

    const quint64 generation = ++m_generation;
    whenReady(this, m_service->audit(filter()),
              [this, generation](const QList<AuditEntry> &entries) {
                  if (generation != m_generation)
                      return;
                  m_model->setEntries(entries);
                  emit refreshed(int(entries.size()));
              });
}

void AuditPane::scheduleRefresh()
{
    m_refreshTimer->start();
}

void AuditPane::clear()
{
    ++m_generation;
    m_model->setEntries({});
}

QList<AuditEntry> AuditPane::shownEntries() const
{
    QList<AuditEntry> entries;
    const QSortFilterProxyModel *proxy = m_table->proxy();
    for (int row = 0; row < proxy->rowCount(); ++row)
        entries.append(m_model->entryAt(proxy->mapToSource(proxy->index(row, 0)).row()));
    return entries;
}

bool AuditPane::exportCsv(const QString &path, QString *error) const
{
    // QSaveFile: a failed export leaves an older file of that name as it was.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    if (!Csv::write(&file, Csv::auditLog(shownEntries()), error))
        return false;
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

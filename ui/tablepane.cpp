#include "tablepane.h"

#include <algorithm>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "rolefilterproxy.h"
#include "uitext.h"

namespace {

constexpr int SortRole = Qt::UserRole + 1; // the same value in every console model

} // namespace

TablePane::TablePane(const QString &title, QAbstractItemModel *model, QSortFilterProxyModel *proxy,
                     QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(proxy ? proxy : new RoleFilterProxy(this))
    , m_view(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_count(new QLabel(this))
{
    m_proxy->setParent(this);
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(SortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    buildHeader(title);
    layout->addLayout(m_header);
    layout->addWidget(m_view);
    setUpView();

    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved}) {
        connect(m_proxy, signal, this, &TablePane::updateCount);
        connect(m_model, signal, this, &TablePane::updateCount);
    }
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &TablePane::updateCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &TablePane::updateCount);
    updateCount();
}

void TablePane::buildHeader(const QString &title)
{
    auto *titleLabel = new QLabel(title, this);
    QFont bold = titleLabel->font();
    bold.setBold(true);
    titleLabel->setFont(bold);

    m_filter->setPlaceholderText(tr("Filter"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(220);
    m_filter->setToolTip(tr("Shows only rows containing this text in any column (Ctrl+F)"));
    m_count->setForegroundRole(QPalette::PlaceholderText);

    m_header = new QHBoxLayout;
    m_header->setContentsMargins(2, 0, 0, 0);
    m_header->addWidget(titleLabel);
    m_header->addStretch(1);
    m_header->addWidget(m_count);
    m_header->addWidget(m_filter);
}

void TablePane::setUpView()
{
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);

    // Compact rows: a busy hub shows a lot of them, and the default height wastes a third.
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->horizontalHeader()->setSortIndicator(0, Qt::AscendingOrder);
}

void TablePane::setCountText(CountText text)
{
    m_countText = std::move(text);
    updateCount();
}

void TablePane::addHeaderWidget(QWidget *widget)
{
    m_header->insertWidget(1, widget);
}

void TablePane::setColumnWidths(const QList<int> &widths)
{
    for (int column = 0; column < widths.size(); ++column)
        m_view->setColumnWidth(column, widths.at(column));
}

void TablePane::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

QList<int> TablePane::selectedSourceRows() const
{
    QList<int> rows;
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : selected)
        rows.append(m_proxy->mapToSource(index).row());
    return rows;
}

QModelIndex TablePane::currentSourceIndex() const
{
    return m_proxy->mapToSource(m_view->currentIndex());
}

QString TablePane::selectionAsText() const
{
    return rowsAsText(m_view);
}

QString TablePane::rowsAsText(const QTableView *view)
{
    QModelIndexList rows = view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });

    const QHeaderView *header = view->horizontalHeader();
    QStringList lines;
    for (const QModelIndex &row : rows) {
        QStringList cells;
        for (int visual = 0; visual < header->count(); ++visual) {
            const int column = header->logicalIndex(visual);
            if (!header->isSectionHidden(column))
                cells.append(view->model()->index(row.row(), column).data().toString());
        }
        lines.append(cells.join(QLatin1Char('\t')));
    }
    return lines.join(QLatin1Char('\n'));
}

void TablePane::updateCount()
{
    const int shown = m_proxy->rowCount();
    const int total = m_model->rowCount();
    if (m_countText)
        m_count->setText(m_countText(shown, total));
    else if (shown == total)
        m_count->setText(UiText::rows(total));
    else
        m_count->setText(tr("%1 of %2").arg(shown).arg(total));
}

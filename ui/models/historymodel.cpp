#include "historymodel.h"

#include <QColor>
#include <QFont>

#include "modelformat.h"
#include "roommessagesmodel.h"

HistoryModel::HistoryModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));

    const RoomMessageInfo &message = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(message, index.column());
    case Qt::ToolTipRole:
        if (index.column() == Time)
            return ModelFormat::fullTime(message.ts);
        return index.column() == Text && !message.deleted ? QVariant(message.text) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Seq ? QVariant(ModelFormat::numberAlignment()) : QVariant();
    case Qt::ForegroundRole:
        return message.deleted ? QVariant(QColor(0x8c, 0x8c, 0x8c)) : QVariant();
    case Qt::FontRole: {
        if (!message.deleted || index.column() != Text)
            return {};
        QFont italic;
        italic.setItalic(true);
        return italic;
    }
    case SortRole:
        return sortValue(message, index.column());
    case SeqRole:
        return message.seq;
    case DeletedRole:
        return message.deleted;
    default:
        return {};
    }
}

QVariant HistoryModel::display(const RoomMessageInfo &message, int column) const
{
    switch (column) {
    case Time:
        return ModelFormat::when(message.ts);
    case Seq:
        return QString::number(message.seq);
    case From:
        return message.from;
    case Text: {
        if (message.deleted)
            return RoomMessagesModel::tombstoneText();
        QString line = message.text;
        return line.replace(QLatin1Char('\n'), QChar(0x23CE)); // RETURN SYMBOL: one line a row
    }
    default:
        return {};
    }
}

QVariant HistoryModel::sortValue(const RoomMessageInfo &message, int column) const
{
    switch (column) {
    case Time:
        return message.ts;
    case Seq:
        return message.seq;
    default:
        return display(message, column);
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);

    if (role == Qt::TextAlignmentRole)
        return section == Seq ? QVariant(ModelFormat::numberAlignment()) : QVariant();
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case Time:
        return tr("Time");
    case Seq:
        return tr("Seq");
    case From:
        return tr("From");
    case Text:
        return tr("Message");
    default:
        return {};
    }
}

void HistoryModel::setPage(const HistoryPage &page)
{
    beginResetModel();
    m_rows = page.messages;
    m_epoch = page.epoch;
    m_hasOlder = page.more;
    endResetModel();
}

void HistoryModel::addOlderPage(const HistoryPage &page)
{
    if (page.epoch != m_epoch) {
        setPage(page);
        return;
    }

    // Only what lies before the oldest row: a page that overlaps (messages were added while
    // the operator read) must not show a message twice.
    const quint64 oldest = oldestSeq();
    QList<RoomMessageInfo> older;
    for (const RoomMessageInfo &message : page.messages) {
        if (oldest == 0 || message.seq < oldest)
            older.append(message);
    }
    m_hasOlder = page.more;
    if (older.isEmpty())
        return;

    beginInsertRows(QModelIndex(), 0, int(older.size()) - 1);
    m_rows = older + m_rows;
    endInsertRows();
}

void HistoryModel::clear()
{
    setPage({});
}

quint64 HistoryModel::oldestSeq() const
{
    return m_rows.isEmpty() ? 0 : m_rows.constFirst().seq;
}

RoomMessageInfo HistoryModel::messageAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : RoomMessageInfo();
}

int HistoryModel::rowOfSeq(quint64 seq) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).seq == seq)
            return row;
    }
    return -1;
}

bool HistoryModel::markDeleted(quint64 seq)
{
    const int row = rowOfSeq(seq);
    if (row < 0)
        return false;

    RoomMessageInfo &message = m_rows[row];
    message.deleted = true;
    message.from.clear();
    message.text.clear();
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    return true;
}

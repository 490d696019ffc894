#include "roommessagesmodel.h"

#include <QColor>
#include <QFont>

#include "modelformat.h"
#include "protocol.h"

namespace {

// One line per row: a multi-line message would make rows of different heights.
QString oneLine(const QString &text)
{
    if (!text.contains(QLatin1Char('\n')))
        return text;
    QString line = text;
    line.replace(QLatin1Char('\n'), QChar(0x23CE)); // RETURN SYMBOL
    return line;
}

QFont tombstoneFont()
{
    QFont font;
    font.setItalic(true);
    return font;
}

} // namespace

RoomMessagesModel::RoomMessagesModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_rows(DefaultLimit)
{ }

int RoomMessagesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int RoomMessagesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RoomMessagesModel::data(const QModelIndex &index, int role) const
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
        return index.column() == Text ? QVariant(message.text) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Seq ? QVariant(ModelFormat::numberAlignment()) : QVariant();
    case Qt::ForegroundRole:
        return message.deleted ? QVariant(QColor(0x8c, 0x8c, 0x8c)) : QVariant();
    case Qt::FontRole:
        return message.deleted && index.column() == Text ? QVariant(tombstoneFont()) : QVariant();
    case SortRole:
        return sortValue(message, index.column());
    case SeqRole:
        return message.seq;
    case SenderRole:
        return message.from;
    default:
        return {};
    }
}

QVariant RoomMessagesModel::display(const RoomMessageInfo &message, int column) const
{
    switch (column) {
    case Time:
        return ModelFormat::clock(message.ts);
    case Seq:
        return QString::number(message.seq);
    case From:
        return message.from;
    case Text:
        return message.deleted ? tombstoneText() : oneLine(message.text);
    default:
        return {};
    }
}

QVariant RoomMessagesModel::sortValue(const RoomMessageInfo &message, int column) const
{
    switch (column) {
    case Time:
        return message.ts;
    case Seq:
        return message.seq;
    case From:
        return message.from;
    case Text:
        return message.text;
    default:
        return {};
    }
}

QVariant RoomMessagesModel::headerData(int section, Qt::Orientation orientation, int role) const
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

void RoomMessagesModel::setRoom(const QString &room)
{
    const QString key = Protocol::nameKey(room);
    m_room = room;
    if (key == m_roomKey)
        return;

    m_roomKey = key;
    m_rows.clear(this);
}

void RoomMessagesModel::appendMessages(const QList<RoomMessageInfo> &messages)
{
    if (m_roomKey.isEmpty())
        return;

    QList<RoomMessageInfo> ours;
    for (const RoomMessageInfo &message : messages) {
        if (message.room == m_room || Protocol::nameKey(message.room) == m_roomKey)
            ours.append(message);
    }
    m_rows.append(this, ours);
}

void RoomMessagesModel::setLimit(int rows)
{
    m_rows.setLimit(this, rows);
}

void RoomMessagesModel::clear()
{
    m_rows.clear(this);
}

RoomMessageInfo RoomMessagesModel::messageAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : RoomMessageInfo();
}

bool RoomMessagesModel::markDeleted(const QString &room, quint64 seq)
{
    if (m_roomKey.isEmpty() || Protocol::nameKey(room) != m_roomKey)
        return false;

    // Newest at the bottom, and the operator deletes what was just said: search from the end.
    for (int row = m_rows.size() - 1; row >= 0; --row) {
        if (m_rows.at(row).seq != seq)
            continue;
        RoomMessageInfo tombstone = m_rows.at(row);
        tombstone.deleted = true;
        tombstone.from.clear();
        tombstone.text.clear();
        m_rows.replace(row, tombstone);
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return true;
    }
    return false;
}

QString RoomMessagesModel::tombstoneText()
{
    return tr("(deleted)");
}

#pragma once

#include <algorithm>

#include <QList>
#include <QModelIndex>

// The rows of an append-only log model with a row limit: newest at the bottom, and each batch
// costs the views at most one removal (the oldest rows) and one insertion. Qt 6's QList drops
// its front without moving the rest, so trimming costs only the rows dropped.
//
// The model makes this class a friend, because the begin/end calls it makes are protected.
template<typename Row>
class BoundedRows
{
public:
    explicit BoundedRows(int limit)
        : m_limit(std::max(0, limit))
    { }

    int size() const { return int(m_rows.size()); }
    const Row &at(int row) const { return m_rows.at(row); }
    int limit() const { return m_limit; }
    // Changes one row in place; the model emits dataChanged for it.
    void replace(int row, const Row &value) { m_rows[row] = value; }

    template<typename Model>
    void append(Model *model, const QList<Row> &batch);

    template<typename Model>
    void setLimit(Model *model, int limit);

    template<typename Model>
    void clear(Model *model);

private:
    template<typename Model>
    void dropOldest(Model *model, int count);

    QList<Row> m_rows;
    int m_limit;
};

template<typename Row>
template<typename Model>
void BoundedRows<Row>::append(Model *model, const QList<Row> &batch)
{
    // A batch longer than the limit would only be inserted to be dropped again.
    const int keep = std::min(int(batch.size()), m_limit);
    if (keep == 0)
        return;

    dropOldest(model, size() + keep - m_limit);

    const int first = size();
    model->beginInsertRows(QModelIndex(), first, first + keep - 1);
    if (keep == int(batch.size()))
        m_rows.append(batch);
    else
        m_rows.append(batch.mid(batch.size() - keep));
    model->endInsertRows();
}

template<typename Row>
template<typename Model>
void BoundedRows<Row>::setLimit(Model *model, int limit)
{
    m_limit = std::max(0, limit);
    dropOldest(model, size() - m_limit);
}

template<typename Row>
template<typename Model>
void BoundedRows<Row>::clear(Model *model)
{
    if (m_rows.isEmpty())
        return;

    model->beginResetModel();
    m_rows.clear();
    model->endResetModel();
}

template<typename Row>
template<typename Model>
void BoundedRows<Row>::dropOldest(Model *model, int count)
{
    if (count <= 0)
        return;

    model->beginRemoveRows(QModelIndex(), 0, count - 1);
    m_rows.remove(0, count);
    model->endRemoveRows();
}

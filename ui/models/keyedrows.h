#pragma once

#include <utility>
#include <vector>

#include <QHash>
#include <QList>
#include <QModelIndex>

// The rows of a table model, matched by key from one snapshot to the next, so that an update
// costs the views only what really changed. Rows keep their place (and with it selection and
// scroll position); vanished rows go in contiguous runs, from the bottom up; changed rows get one
// dataChanged per contiguous run; new rows arrive in one insertion at the end. A reset happens
// only when an empty model is filled.
//
// The model makes this class a friend, because the begin/end calls it makes are protected.
template<typename Row, typename Key>
class KeyedRows
{
public:
    using KeyOf = Key (*)(const Row &row);
    // True if the two rows show the same: no dataChanged is needed between them.
    using Same = bool (*)(const Row &shown, const Row &incoming);

    // Refresh overwrites rows that show the same, without a signal, for values that move on
    // every snapshot but are not shown as such (an online user's last-seen time).
    enum class Unchanged { Keep, Refresh };

    KeyedRows(KeyOf keyOf, Same same, Unchanged unchanged = Unchanged::Keep)
        : m_keyOf(keyOf)
        , m_same(same)
        , m_unchanged(unchanged)
    { }

    int size() const { return int(m_rows.size()); }
    const Row &at(int row) const { return m_rows.at(row); }
    const QList<Row> &rows() const { return m_rows; }
    int indexOf(const Key &key) const { return m_index.value(key, -1); }

    // Makes the rows equal to `incoming`, in the fewest signals. Within one call, indexOf() is
    // up to date only once the call returns; slots on rowsRemoved must not rely on it.
    template<typename Model>
    void assign(Model *model, const QList<Row> &incoming);

    // Replaces every row with one model reset: for a first fill, or a new subject (another
    // room), where nothing the view holds is worth keeping.
    template<typename Model>
    void reset(Model *model, const QList<Row> &incoming);

private:
    struct Plan
    {
        std::vector<int> source; // per current row: the incoming row that changes it, or -1
        std::vector<char> seen; // per current row: still in the incoming rows
        QList<int> added; // incoming rows with a new key, in incoming order
        QList<Key> addedKeys;
    };

    Plan plan(const QList<Row> &incoming);
    template<typename Model>
    void removeVanished(Model *model, Plan &plan);
    template<typename Model>
    void applyChanges(Model *model, const QList<Row> &incoming, const Plan &plan);
    template<typename Model>
    void appendAdded(Model *model, const QList<Row> &incoming, const Plan &plan);
    void fill(const QList<Row> &incoming);
    void reindexFrom(int row);

    QList<Row> m_rows;
    QList<Key> m_keys; // parallel to m_rows, so a key is computed once per incoming row
    QHash<Key, int> m_index; // key to row
    KeyOf m_keyOf;
    Same m_same;
    Unchanged m_unchanged;
};

template<typename Row, typename Key>
template<typename Model>
void KeyedRows<Row, Key>::assign(Model *model, const QList<Row> &incoming)
{
    if (m_rows.isEmpty()) {
        if (!incoming.isEmpty())
            reset(model, incoming);
        return;
    }

    Plan changes = plan(incoming);
    removeVanished(model, changes);
    applyChanges(model, incoming, changes);
    appendAdded(model, incoming, changes);
}

template<typename Row, typename Key>
template<typename Model>
void KeyedRows<Row, Key>::reset(Model *model, const QList<Row> &incoming)
{
    model->beginResetModel();
    fill(incoming);
    model->endResetModel();
}

template<typename Row, typename Key>
typename KeyedRows<Row, Key>::Plan KeyedRows<Row, Key>::plan(const QList<Row> &incoming)
{
    Plan changes;
    changes.source.assign(m_rows.size(), -1);
    changes.seen.assign(m_rows.size(), 0);

    // Duplicate keys should not come from the engine; the first one wins if they do.
    QHash<Key, int> addedIndex;
    for (int i = 0; i < int(incoming.size()); ++i) {
        const Row &row = incoming.at(i);
        Key key = m_keyOf(row);
        const int existing = m_index.value(key, -1);
        if (existing < 0) {
            if (!addedIndex.contains(key)) {
                addedIndex.insert(key, i);
                changes.added.append(i);
                changes.addedKeys.append(std::move(key));
            }
            continue;
        }

        changes.seen[existing] = 1;
        if (!m_same(m_rows.at(existing), row))
            changes.source[existing] = i;
        else if (m_unchanged == Unchanged::Refresh)
            m_rows[existing] = row;
    }
    return changes;
}

template<typename Row, typename Key>
template<typename Model>
void KeyedRows<Row, Key>::removeVanished(Model *model, Plan &changes)
{
    int lowestRemoved = size();
    for (int last = size() - 1; last >= 0; --last) {
        if (changes.seen[last])
            continue;
        int first = last;
        while (first > 0 && !changes.seen[first - 1])
            --first;

        model->beginRemoveRows(QModelIndex(), first, last);
        for (int row = first; row <= last; ++row)
            m_index.remove(m_keys.at(row));
        m_rows.remove(first, last - first + 1);
        m_keys.remove(first, last - first + 1);
        model->endRemoveRows();

        changes.source.erase(changes.source.begin() + first, changes.source.begin() + last + 1);
        lowestRemoved = first;
        last = first;
    }

    if (lowestRemoved < size())
        reindexFrom(lowestRemoved);
}

template<typename Row, typename Key>
template<typename Model>
void KeyedRows<Row, Key>::applyChanges(Model *model, const QList<Row> &incoming,
                                       const Plan &changes)
{
    const int lastColumn = model->columnCount() - 1;
    int row = 0;
    while (row < size()) {
        if (changes.source[row] < 0) {
            ++row;
            continue;
        }

        const int first = row;
        for (; row < size() && changes.source[row] >= 0; ++row)
            m_rows[row] = incoming.at(changes.source[row]);
        emit model->dataChanged(model->index(first, 0), model->index(row - 1, lastColumn));
    }
}

template<typename Row, typename Key>
template<typename Model>
void KeyedRows<Row, Key>::appendAdded(Model *model, const QList<Row> &incoming, const Plan &changes)
{
    if (changes.added.isEmpty())
        return;

    const int first = size();
    model->beginInsertRows(QModelIndex(), first, first + int(changes.added.size()) - 1);
    for (int i = 0; i < int(changes.added.size()); ++i) {
        m_index.insert(changes.addedKeys.at(i), size());
        m_keys.append(changes.addedKeys.at(i));
        m_rows.append(incoming.at(changes.added.at(i)));
    }
    model->endInsertRows();
}

template<typename Row, typename Key>
void KeyedRows<Row, Key>::fill(const QList<Row> &incoming)
{
    m_rows.clear();
    m_keys.clear();
    m_index.clear();
    m_rows.reserve(incoming.size());
    m_keys.reserve(incoming.size());
    m_index.reserve(incoming.size());

    for (const Row &row : incoming) {
        Key key = m_keyOf(row);
        if (m_index.contains(key))
            continue;
        m_index.insert(key, size());
        m_keys.append(std::move(key));
        m_rows.append(row);
    }
}

template<typename Row, typename Key>
void KeyedRows<Row, Key>::reindexFrom(int row)
{
    for (; row < size(); ++row)
        m_index[m_keys.at(row)] = row;
}

#pragma once

#include <functional>

#include <QList>
#include <QWidget>

class QAbstractItemModel;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QModelIndex;
class QSortFilterProxyModel;
class QTableView;

// One table of the console: a title, a text filter, a row count and a sortable view over a
// proxy of the model. Sorting uses the models' SortRole (Qt::UserRole + 1), so numbers and
// times sort as numbers and times, not as the text shown.
class TablePane : public QWidget
{
    Q_OBJECT

public:
    using CountText = std::function<QString(int shown, int total)>;

    // Takes ownership of proxy (a RoleFilterProxy if null); the model stays the caller's.
    TablePane(const QString &title, QAbstractItemModel *model,
              QSortFilterProxyModel *proxy = nullptr, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QLineEdit *filterEdit() const { return m_filter; }
    QLabel *countLabel() const { return m_count; }

    void setCountText(CountText text);
    void addHeaderWidget(QWidget *widget); // between the title and the count
    void setColumnWidths(const QList<int> &widths); // defaults, before a saved layout
    void focusFilter();

    // Source rows of the selection in view order, each once.
    QList<int> selectedSourceRows() const;
    QModelIndex currentSourceIndex() const;

    // The selected rows as tab-separated text, one line each, for the clipboard.
    QString selectionAsText() const;
    static QString rowsAsText(const QTableView *view);

private:
    void buildHeader(const QString &title);
    void setUpView();
    void updateCount();

    QAbstractItemModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QLineEdit *m_filter;
    QLabel *m_count;
    QHBoxLayout *m_header = nullptr;
    CountText m_countText;
};

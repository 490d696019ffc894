#pragma once

#include <utility>

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

// Calls handle(result) on context's thread once future has a result, and never after context
// is destroyed. QFuture::then(context, ...) promises the same, but Qt 6.4 asserts in the
// continuation when the context is gone first (a window closed with a command in flight), so
// the console uses a watcher owned by the context instead. A future that ends without a result
// (cancelled) calls nothing.
template<typename T, typename Handle>
void whenReady(QObject *context, QFuture<T> future, Handle handle)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, handle = std::move(handle)]() mutable {
                         watcher->deleteLater();
                         if (watcher->future().resultCount() > 0)
                             handle(watcher->future().result());
                     });
    watcher->setFuture(std::move(future));
}

#include "epolldispatcher.h"

#ifdef Q_OS_LINUX

#include <algorithm>
#include <cerrno>
#include <climits>
#include <memory>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QEvent>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QThread>
#include <QTimerEvent>

namespace {

Q_LOGGING_CATEGORY(lcEventLoop, "confab.hub.eventloop", QtWarningMsg)

using std::chrono::milliseconds;

// A descriptor's events carry (generation << 32 | fd); no fd is 2^32 - 1, so this tags the
// wake-up eventfd.
constexpr quint64 WakeUpTag = ~quint64(0);

constexpr size_t InitialReadyEvents = 256;
constexpr size_t MaxReadyEvents = 4096;

constexpr quint32 WantedEvents[3] = {EPOLLIN, EPOLLOUT, EPOLLPRI}; // by QSocketNotifier::Type

// HUP and ERR activate every enabled notifier: that is how Qt notices a close, and a hang-up
// reported to nobody would make the level-triggered wait return at once, forever.
constexpr quint32 ClosedEvents = EPOLLHUP | EPOLLERR;
constexpr quint32 TriggeringEvents[3] = {
    EPOLLIN | EPOLLRDHUP | ClosedEvents,
    EPOLLOUT | ClosedEvents,
    EPOLLPRI | ClosedEvents,
};

quint64 packEventData(int fd, quint32 generation)
{
    return (quint64(generation) << 32) | quint32(fd);
}

int fdOf(quint64 eventData)
{
    return int(quint32(eventData));
}

quint32 generationOf(quint64 eventData)
{
    return quint32(eventData >> 32);
}

const char *typeName(int type)
{
    static const char *const names[3] = {"Read", "Write", "Exception"};
    return names[type];
}

// Rounded up, so that a timer never fires early.
// Known limitation: timers have a resolution of one millisecond because epoll_wait() takes
// milliseconds, so a precise timer may fire up to 1 ms late; arming a timerfd in the epoll set
// (or epoll_pwait2, Linux 5.11) would remove it.
int msecsUntil(std::chrono::steady_clock::time_point deadline)
{
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero())
        return 0;

    const qint64 msecs = std::chrono::ceil<milliseconds>(left).count();
    return int(std::min<qint64>(msecs, INT_MAX));
}

milliseconds schedulingPeriod(int interval, Qt::TimerType type)
{
    // Known limitation: CoarseTimer is kept as exactly as PreciseTimer, where Qt lets it slip
    // by up to 5 % to share wake-ups with other timers. That costs extra wake-ups when many
    // coarse timers run; moving each deadline inside its slack to a shared instant would
    // remove it.
    if (type != Qt::VeryCoarseTimer)
        return milliseconds(interval);

    // VeryCoarseTimer promises whole seconds only, and Qt rounds it to the nearest one too.
    // Known limitation: its deadlines are not aligned to whole seconds across timers, so they
    // do not share wake-ups.
    return milliseconds((qint64(interval) + 500) / 1000 * 1000);
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epollFd(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
    , m_readyEvents(InitialReadyEvents)
{
    epoll_event wake {};
    wake.events = EPOLLIN;
    wake.data.u64 = WakeUpTag;

    if (isValid() && epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeFd, &wake) == 0)
        return;

    qCCritical(lcEventLoop) << "Cannot set up the epoll event dispatcher:"
                            << qt_error_string(errno);
    if (m_epollFd >= 0)
        ::close(m_epollFd);
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    m_epollFd = m_wakeFd = -1;
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_epollFd >= 0)
        ::close(m_epollFd);
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

bool EpollEventDispatcher::isValid() const
{
    return m_epollFd >= 0 && m_wakeFd >= 0;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    ++m_entries;
    m_interrupted.store(false, std::memory_order_relaxed);
    emit awake();

    // Qt's own dispatchers send posted events first on every iteration; deleteLater() and
    // queued calls depend on it.
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    const bool includeSockets = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    const bool canWait = flags.testFlag(QEventLoop::WaitForMoreEvents)
                         && !m_wakeUpPending.load(std::memory_order_acquire)
                         && !(includeSockets && !m_unpollableFds.empty());
    if (canWait)
        emit aboutToBlock();
    if (m_interrupted.load(std::memory_order_acquire))
        return false;

    const int timeoutMs = !canWait ? 0 : includeTimers ? msecsToNextTimer() : -1;
    int dispatched =
        includeSockets ? waitAndActivateSockets(timeoutMs) : waitForWakeUpOnly(timeoutMs);

    if (includeTimers && !m_interrupted.load(std::memory_order_relaxed))
        dispatched += activateTimers();

    // Known limitation: sendPostedEvents() does not say whether it sent anything, so a drained
    // wake-up counts as dispatched, as in QEventDispatcherUNIX; a caller looping "while
    // processEvents() returns true" may run one extra, empty iteration.
    return dispatched > 0;
}

int EpollEventDispatcher::waitAndActivateSockets(int timeoutMs)
{
    const int count =
        epoll_wait(m_epollFd, m_readyEvents.data(), int(m_readyEvents.size()), timeoutMs);
    if (count < 0) {
        if (errno != EINTR)
            qCWarning(lcEventLoop) << "epoll_wait failed:" << qt_error_string(errno);
        return 0;
    }

    const int activated = activateReadyEvents(count);
    growReadyEventsIfFull(count);

    return activated + activateUnpollable();
}

int EpollEventDispatcher::waitForWakeUpOnly(int timeoutMs)
{
    // Sockets are excluded: wait on the eventfd alone, so that a ready socket neither wakes
    // this wait nor makes it return at once.
    pollfd wake {m_wakeFd, POLLIN, 0};
    if (::poll(&wake, 1, timeoutMs) <= 0)
        return 0;

    drainWakeUp();
    return 1;
}

int EpollEventDispatcher::activateReadyEvents(int count)
{
    const quint64 entry = m_entries;
    int activated = 0;

    for (int i = 0; i < count; ++i) {
        const quint64 data = m_readyEvents[size_t(i)].data.u64;
        const quint32 ready = m_readyEvents[size_t(i)].events;
        if (data == WakeUpTag) {
            drainWakeUp();
            ++activated;
            continue;
        }

        activated += activateDescriptor(fdOf(data), generationOf(data), ready, entry);
        if (batchAbandoned(entry))
            break;
    }
    return activated;
}

int EpollEventDispatcher::activateDescriptor(int fd, quint32 generation, quint32 ready,
                                             quint64 entry)
{
    int activated = 0;

    for (int type = QSocketNotifier::Read; type <= QSocketNotifier::Exception; ++type) {
        if (!(ready & TriggeringEvents[type]))
            continue;

        // Looked up again before every activation: the previous one may have unregistered or
        // deleted this notifier, or closed the fd and registered another under its number.
        QSocketNotifier *notifier = registeredNotifier(fd, generation, type);
        if (!notifier)
            continue;

        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(notifier, &event);
        ++activated;

        if (batchAbandoned(entry))
            break;
    }
    return activated;
}

int EpollEventDispatcher::activateUnpollable()
{
    const quint64 entry = m_entries;
    int activated = 0;

    // poll() reports regular files always readable and writable; keep that behaviour.
    for (size_t i = 0; i < m_unpollableFds.size(); ++i) {
        const int fd = m_unpollableFds[i];
        const quint32 generation = m_descriptors[size_t(fd)].generation;

        activated += activateDescriptor(fd, generation, EPOLLIN | EPOLLOUT, entry);
        if (batchAbandoned(entry))
            break;
    }
    return activated;
}

QSocketNotifier *EpollEventDispatcher::registeredNotifier(int fd, quint32 generation,
                                                          int type) const
{
    if (size_t(fd) >= m_descriptors.size())
        return nullptr;

    // Another generation means the event was reported for a registration that is gone.
    const Descriptor &state = m_descriptors[size_t(fd)];
    return state.generation == generation ? state.notifiers[type] : nullptr;
}

bool EpollEventDispatcher::batchAbandoned(quint64 entry) const
{
    // A nested processEvents() has reused m_readyEvents, and it may have served some of our
    // descriptors already. Level-triggered epoll reports whatever is still ready next time.
    return m_entries != entry || m_interrupted.load(std::memory_order_relaxed);
}

void EpollEventDispatcher::drainWakeUp()
{
    eventfd_t count = 0;
    while (eventfd_read(m_wakeFd, &count) != 0 && errno == EINTR) { }

    // Cleared after the read: a wakeUp() racing in between finds the flag still set and skips
    // its write, but its event is queued already and the next iteration sends it before any
    // wait. Cleared before the read, that wake-up could be swallowed with the flag left set.
    m_wakeUpPending.store(false, std::memory_order_release);
}

void EpollEventDispatcher::growReadyEventsIfFull(int count)
{
    // A full array means more descriptors were ready than it holds; they are reported next
    // time, but a busy hub saves wait calls with a larger one.
    if (size_t(count) == m_readyEvents.size() && m_readyEvents.size() < MaxReadyEvents)
        m_readyEvents.resize(m_readyEvents.size() * 2);
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    if (fd < 0 || !isOnOwnThread(notifier)) {
        qCWarning(lcEventLoop, "Socket notifier for socket %d: invalid socket or wrong thread", fd);
        return;
    }

    Descriptor &state = descriptor(fd);
    if (state.notifiers[type] && state.notifiers[type] != notifier)
        qCWarning(lcEventLoop, "Several socket notifiers for socket %d and type %s; the last wins",
                  fd, typeName(type));

    state.notifiers[type] = notifier;
    updateDescriptor(fd);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    if (size_t(fd) >= m_descriptors.size() || m_descriptors[size_t(fd)].notifiers[type] != notifier)
        return;

    if (!isOnOwnThread(notifier)) {
        qCWarning(lcEventLoop, "Socket notifier for socket %d unregistered from another thread",
                  fd);
        return;
    }

    m_descriptors[size_t(fd)].notifiers[type] = nullptr;
    updateDescriptor(fd);
}

EpollEventDispatcher::Descriptor &EpollEventDispatcher::descriptor(int fd)
{
    if (size_t(fd) >= m_descriptors.size())
        m_descriptors.resize(size_t(fd) + 1);
    return m_descriptors[size_t(fd)];
}

void EpollEventDispatcher::updateDescriptor(int fd)
{
    Descriptor &state = m_descriptors[size_t(fd)];
    quint32 wanted = 0;
    for (int type = QSocketNotifier::Read; type <= QSocketNotifier::Exception; ++type) {
        if (state.notifiers[type])
            wanted |= WantedEvents[type];
    }

    if (state.unpollable) {
        if (wanted == 0)
            dropUnpollable(fd, state);
        return;
    }

    // Qt toggles a socket's write notifier around every write, so one cheap epoll_ctl() per
    // change, and none when the union is unchanged, is what keeps a busy hub fast.
    if (wanted == state.events)
        return;
    if (state.events == 0)
        addToEpoll(fd, state, wanted);
    else if (wanted == 0)
        removeFromEpoll(fd, state);
    else
        modifyInEpoll(fd, state, wanted);
}

void EpollEventDispatcher::addToEpoll(int fd, Descriptor &state, quint32 events)
{
    epoll_event event {};
    event.events = events;
    state.generation = ++m_generations;
    event.data.u64 = packEventData(fd, state.generation);

    if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &event) == 0) {
        state.events = events;
        return;
    }

    // EEXIST: the kernel still holds an earlier registration of this fd number (its DEL
    // failed); take it over so that its events carry the new generation.
    if (errno == EEXIST && epoll_ctl(m_epollFd, EPOLL_CTL_MOD, fd, &event) == 0) {
        state.events = events;
        return;
    }

    // EPERM: regular files and directories, which epoll refuses and poll() calls always ready.
    if (errno == EPERM) {
        state.unpollable = true;
        m_unpollableFds.push_back(fd);
        return;
    }

    qCWarning(lcEventLoop) << "Cannot watch socket" << fd << qt_error_string(errno);
}

void EpollEventDispatcher::modifyInEpoll(int fd, Descriptor &state, quint32 events)
{
    epoll_event event {};
    event.events = events;
    event.data.u64 = packEventData(fd, state.generation);

    if (epoll_ctl(m_epollFd, EPOLL_CTL_MOD, fd, &event) == 0) {
        state.events = events;
        return;
    }

    // ENOENT: the fd was closed while registered, so the kernel forgot it, and its number now
    // names another file.
    if (errno == ENOENT) {
        state.events = 0;
        addToEpoll(fd, state, events);
        return;
    }

    qCWarning(lcEventLoop) << "Cannot change the events of socket" << fd << qt_error_string(errno);
}

void EpollEventDispatcher::removeFromEpoll(int fd, Descriptor &state)
{
    // Known limitation: epoll watches open files, not numbers. If an fd is closed while still
    // registered and a dup() of it stays open elsewhere, the kernel keeps reporting that file
    // under the old number, and the ready events then go to whatever notifier holds the
    // number. Qt's socket classes always disable their notifiers before closing, so only
    // code that closes a watched fd behind its notifier's back is exposed.
    const int result = epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
    if (result != 0 && errno != ENOENT && errno != EBADF)
        qCWarning(lcEventLoop) << "Cannot stop watching socket" << fd << qt_error_string(errno);

    state.events = 0;
}

void EpollEventDispatcher::dropUnpollable(int fd, Descriptor &state)
{
    state.unpollable = false;
    m_unpollableFds.erase(std::find(m_unpollableFds.begin(), m_unpollableFds.end(), fd));
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    if (timerId < 1 || interval < 0 || !object || !isOnOwnThread(object)) {
        qCWarning(lcEventLoop, "Timer %d: invalid arguments or wrong thread", timerId);
        return;
    }
    if (m_timers.count(timerId) != 0) {
        qCWarning(lcEventLoop, "Timer %d registered twice; the last wins", timerId);
        unregisterTimer(timerId);
    }

    Timer &timer = m_timers[timerId];
    timer.id = timerId;
    timer.interval = int(std::min<qint64>(interval, INT_MAX));
    timer.period = schedulingPeriod(timer.interval, timerType);
    timer.type = timerType;
    timer.object = object;
    timer.serial = ++m_timerSerials;
    timer.deadline = Clock::now() + timer.period;

    m_timersByObject.insert(object, timerId);
    heapPush(timer);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;

    Timer &timer = it->second;
    if (timer.heapIndex != NotInHeap)
        heapRemove(timer);

    m_timersByObject.remove(timer.object, timerId);
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    const QList<int> timerIds = m_timersByObject.values(object);
    for (int timerId : timerIds)
        unregisterTimer(timerId);

    return !timerIds.isEmpty();
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    const QList<int> timerIds = m_timersByObject.values(object);
    for (int timerId : timerIds) {
        const Timer &timer = m_timers.at(timerId);
        timers.append(TimerInfo(timer.id, timer.interval, timer.type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    return it == m_timers.end() ? -1 : msecsUntil(it->second.deadline);
}

void EpollEventDispatcher::wakeUp()
{
    // One write until the loop drains the eventfd: every postEvent() calls this, often from
    // the loop's own thread.
    bool expected = false;
    if (!m_wakeUpPending.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
        return;

    while (eventfd_write(m_wakeFd, 1) != 0 && errno == EINTR) { }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_release);
    wakeUp();
}

int EpollEventDispatcher::activateTimers()
{
    if (m_timerHeap.empty())
        return 0;

    // One "now" and one pass number per call: a zero-interval timer, rescheduled for now,
    // then fires once per iteration instead of looping here and starving the sockets.
    const Clock::time_point now = Clock::now();
    const quint64 pass = ++m_timerPasses;
    int fired = 0;

    while (!m_timerHeap.empty()) {
        Timer &timer = *m_timerHeap.front();
        if (timer.deadline > now || timer.pass == pass)
            break;

        heapRemove(timer);
        timer.pass = pass;
        timer.deadline = nextDeadline(timer, now);
        fireTimer(timer);
        ++fired;

        if (m_interrupted.load(std::memory_order_relaxed))
            break;
    }
    return fired;
}

void EpollEventDispatcher::fireTimer(Timer &timer)
{
    // The timer stays out of the heap while its event runs, so a nested loop inside the
    // handler neither fires it again nor wakes up for it, as with Qt's own dispatchers.
    const int timerId = timer.id;
    const quint64 serial = timer.serial;
    QTimerEvent event(timerId);
    QCoreApplication::sendEvent(timer.object, &event);

    // `timer` may be gone: the handler may have killed it, deleted its object, or started
    // another timer that was given the same id.
    if (Timer *survivor = findTimer(timerId, serial))
        heapPush(*survivor);
}

int EpollEventDispatcher::msecsToNextTimer() const
{
    return m_timerHeap.empty() ? -1 : msecsUntil(m_timerHeap.front()->deadline);
}

EpollEventDispatcher::Clock::time_point
EpollEventDispatcher::nextDeadline(const Timer &timer, Clock::time_point now) const
{
    // From the planned deadline, so that a late iteration does not delay the ticks after it;
    // after a stall longer than one period, missed ticks are skipped, not fired in a burst.
    const Clock::time_point next = timer.deadline + timer.period;
    return next > now ? next : now + timer.period;
}

EpollEventDispatcher::Timer *EpollEventDispatcher::findTimer(int timerId, quint64 serial)
{
    const auto it = m_timers.find(timerId);
    return it != m_timers.end() && it->second.serial == serial ? &it->second : nullptr;
}

bool EpollEventDispatcher::firesBefore(const Timer *a, const Timer *b)
{
    return a->deadline != b->deadline ? a->deadline < b->deadline : a->order < b->order;
}

void EpollEventDispatcher::heapPush(Timer &timer)
{
    timer.order = ++m_timerOrders;
    m_timerHeap.push_back(&timer);
    timer.heapIndex = m_timerHeap.size() - 1;
    heapSiftUp(timer.heapIndex);
}

void EpollEventDispatcher::heapRemove(Timer &timer)
{
    const size_t index = timer.heapIndex;
    Timer *last = m_timerHeap.back();
    m_timerHeap.pop_back();
    timer.heapIndex = NotInHeap;
    if (last == &timer)
        return;

    heapPlace(last, index);
    heapSiftDown(index);
    heapSiftUp(last->heapIndex);
}

void EpollEventDispatcher::heapSiftUp(size_t index)
{
    Timer *timer = m_timerHeap[index];
    while (index > 0) {
        const size_t parent = (index - 1) / 2;
        if (!firesBefore(timer, m_timerHeap[parent]))
            break;

        heapPlace(m_timerHeap[parent], index);
        index = parent;
    }
    heapPlace(timer, index);
}

void EpollEventDispatcher::heapSiftDown(size_t index)
{
    Timer *timer = m_timerHeap[index];
    const size_t size = m_timerHeap.size();
    for (size_t child = 2 * index + 1; child < size; child = 2 * index + 1) {
        if (child + 1 < size && firesBefore(m_timerHeap[child + 1], m_timerHeap[child]))
            ++child;
        if (!firesBefore(m_timerHeap[child], timer))
            break;

        heapPlace(m_timerHeap[child], index);
        index = child;
    }
    heapPlace(timer, index);
}

void EpollEventDispatcher::heapPlace(Timer *timer, size_t index)
{
    m_timerHeap[index] = timer;
    timer->heapIndex = index;
}

bool EpollEventDispatcher::isOnOwnThread(const QObject *object) const
{
    return object->thread() == thread() && thread() == QThread::currentThread();
}

QAbstractEventDispatcher *createEngineEventDispatcher()
{
    auto dispatcher = std::make_unique<EpollEventDispatcher>();
    return dispatcher->isValid() ? dispatcher.release() : nullptr;
}

#else // Q_OS_LINUX

QAbstractEventDispatcher *createEngineEventDispatcher()
{
    return nullptr;
}

#endif // Q_OS_LINUX

#pragma once

#include <atomic>
#include <chrono>
#include <unordered_map>
#include <vector>

#include <QAbstractEventDispatcher>
#include <QMultiHash>

// Returns a new epoll event dispatcher on Linux, or nullptr elsewhere or when the kernel refuses
// an epoll instance; on nullptr keep Qt's default. Install the result on a thread that has not
// started yet with QThread::setEventDispatcher(); the thread takes ownership.
QAbstractEventDispatcher *createEngineEventDispatcher();

#ifdef Q_OS_LINUX

struct epoll_event;

// An event dispatcher whose cost per loop iteration is O(ready descriptors + expired timers),
// however many idle sockets are registered. Qt's glib dispatcher pays O(sockets) whenever a
// notifier is toggled, and QEventDispatcherUNIX polls every descriptor on every iteration;
// both dominate a hub that holds thousands of quiet connections.
//
// Level-triggered epoll holds one registration per descriptor: the union of its enabled
// notifiers. Timers sit in a min-heap. Posted events wake the loop through an eventfd.
class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False when the epoll instance or the wake-up eventfd could not be created.
    bool isValid() const;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    using QAbstractEventDispatcher::registerTimer;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    // Both are safe from any thread.
    void wakeUp() override;
    void interrupt() override;

private:
    using Clock = std::chrono::steady_clock;

    static constexpr size_t NotInHeap = size_t(-1);

    struct Timer
    {
        int id = 0;
        int interval = 0; // as registered, for registeredTimers()
        std::chrono::milliseconds period {0}; // as scheduled
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        Clock::time_point deadline;
        quint64 serial = 0; // tells a reused timer id from the timer it replaced
        quint64 order = 0; // equal deadlines fire in the order they were scheduled
        quint64 pass = 0; // the activation pass that last fired it
        size_t heapIndex = NotInHeap;
    };

    struct Descriptor
    {
        QSocketNotifier *notifiers[3] = {}; // indexed by QSocketNotifier::Type
        quint32 events = 0; // the mask epoll holds; 0 when not registered
        quint32 generation = 0; // renewed on each EPOLL_CTL_ADD
        bool unpollable = false; // epoll refused it (regular file): always ready
    };

    int waitAndActivateSockets(int timeoutMs);
    int waitForWakeUpOnly(int timeoutMs);
    int activateReadyEvents(int count);
    int activateDescriptor(int fd, quint32 generation, quint32 ready, quint64 entry);
    int activateUnpollable();
    QSocketNotifier *registeredNotifier(int fd, quint32 generation, int type) const;
    bool batchAbandoned(quint64 entry) const;
    void drainWakeUp();
    void growReadyEventsIfFull(int count);

    Descriptor &descriptor(int fd);
    void updateDescriptor(int fd);
    void addToEpoll(int fd, Descriptor &state, quint32 events);
    void modifyInEpoll(int fd, Descriptor &state, quint32 events);
    void removeFromEpoll(int fd, Descriptor &state);
    void dropUnpollable(int fd, Descriptor &state);

    int activateTimers();
    void fireTimer(Timer &timer);
    int msecsToNextTimer() const;
    Clock::time_point nextDeadline(const Timer &timer, Clock::time_point now) const;
    Timer *findTimer(int timerId, quint64 serial);
    static bool firesBefore(const Timer *a, const Timer *b);
    void heapPush(Timer &timer);
    void heapRemove(Timer &timer);
    void heapSiftUp(size_t index);
    void heapSiftDown(size_t index);
    void heapPlace(Timer *timer, size_t index);

    bool isOnOwnThread(const QObject *object) const;

    int m_epollFd = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_wakeUpPending {false};
    std::atomic<bool> m_interrupted {false};
    quint64 m_entries = 0; // processEvents() calls so far: a change means a nested loop ran
    quint32 m_generations = 0;
    std::vector<epoll_event> m_readyEvents;
    std::vector<Descriptor> m_descriptors; // indexed by fd: the kernel hands out low numbers
    std::vector<int> m_unpollableFds;

    std::unordered_map<int, Timer> m_timers;
    QMultiHash<QObject *, int> m_timersByObject;
    std::vector<Timer *> m_timerHeap;
    quint64 m_timerSerials = 0;
    quint64 m_timerOrders = 0;
    quint64 m_timerPasses = 0;
};

#endif // Q_OS_LINUX

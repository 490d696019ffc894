#include "throughputhistory.h"

#include <algorithm>

ThroughputHistory::ThroughputHistory(int seconds)
    : m_seconds(std::max(1, seconds))
{ }

void ThroughputHistory::add(const HubSnapshot &snapshot)
{
    if (!snapshot.takenAt.isValid())
        return;

    // The window is measured back from the newest sample, so a clock set back would keep
    // every older sample "in the future" for as long as it was set back: start again instead.
    // The same time twice is one sample, taken again.
    if (!m_samples.isEmpty() && snapshot.takenAt < m_samples.last().time)
        m_samples.clear();
    else if (!m_samples.isEmpty() && snapshot.takenAt == m_samples.last().time)
        m_samples.removeLast();

    const HubTotals &totals = snapshot.totals;
    m_samples.append({snapshot.takenAt, totals.messagesInPerSecond, totals.messagesOutPerSecond,
                      totals.deliveriesPerSecond, totals.connections});

    const QDateTime oldest = snapshot.takenAt.addSecs(-m_seconds);
    const auto firstKept =
        std::find_if(m_samples.cbegin(), m_samples.cend(),
                     [&oldest](const Sample &sample) { return sample.time >= oldest; });
    m_samples.erase(m_samples.cbegin(), firstKept);
}

double ThroughputHistory::peakRate() const
{
    double peak = 0;
    for (const Sample &sample : m_samples)
        peak = std::max({peak, sample.messagesInPerSecond, sample.messagesOutPerSecond,
                         sample.deliveriesPerSecond});
    return peak;
}

int ThroughputHistory::peakConnections() const
{
    int peak = 0;
    for (const Sample &sample : m_samples)
        peak = std::max(peak, sample.connections);
    return peak;
}

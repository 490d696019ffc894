#pragma once

#include <QDateTime>
#include <QList>

#include "snapshot.h"

// The last few minutes of the hub's rates, one sample per snapshot, for the console's charts.
class ThroughputHistory
{
public:
    struct Sample
    {
        QDateTime time;
        double messagesInPerSecond = 0;
        double messagesOutPerSecond = 0;
        double deliveriesPerSecond = 0;
        int connections = 0;
    };

    explicit ThroughputHistory(int seconds = 300);

    // Appends a sample from snapshot.takenAt and snapshot.totals, and forgets samples more than
    // the window older than it. A snapshot without a time is ignored.
    void add(const HubSnapshot &snapshot);
    void clear() { m_samples.clear(); }

    const QList<Sample> &samples() const { return m_samples; }
    int seconds() const { return m_seconds; }

    double peakRate() const; // the highest of the three rates in the window, 0 when empty
    int peakConnections() const;

private:
    QList<Sample> m_samples; // oldest first
    int m_seconds;
};

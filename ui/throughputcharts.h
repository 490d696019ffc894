#pragma once

#include <QWidget>

class QChart;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;
class ThroughputHistory;

// The console's two live charts: messages in, messages out and deliveries per second, and
// connections, over the last few minutes. The series are created once and refilled with
// replace() at the snapshot rate, which costs one repaint instead of a rebuild per point.
class ThroughputCharts : public QWidget
{
    Q_OBJECT

public:
    explicit ThroughputCharts(QWidget *parent = nullptr);

    // How much history the time axis shows at most; less while the hub is young.
    static constexpr int WindowSeconds = 300;
    static constexpr int MinimumWindowSeconds = 30;

    void showHistory(const ThroughputHistory &history);

private:
    struct Axes
    {
        QChart *chart;
        QDateTimeAxis *time;
        QValueAxis *value;
    };

    QChart *makeChart(const QString &title, const QString &unit, Axes *axes);
    QLineSeries *addSeries(QChart *chart, const Axes &axes, const QString &name,
                           const QColor &color);
    void setTimeRange(const ThroughputHistory &history);
    static void setValueRange(QValueAxis *axis, double peak, double minimumTop);

    Axes m_rateAxes {};
    Axes m_connectionAxes {};
    QLineSeries *m_in = nullptr;
    QLineSeries *m_out = nullptr;
    QLineSeries *m_deliveries = nullptr;
    QLineSeries *m_connections = nullptr;
};

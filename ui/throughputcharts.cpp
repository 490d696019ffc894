#include "throughputcharts.h"

#include <algorithm>
#include <cmath>

#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QLineSeries>
#include <QValueAxis>

#include "throughputhistory.h"

namespace {

// 1, 2 or 5 times a power of ten, at least value: steps people read without arithmetic.
double niceStep(double value)
{
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double factor : {1.0, 2.0, 5.0}) {
        if (factor * magnitude >= value)
            return factor * magnitude;
    }
    return 10.0 * magnitude;
}

QChartView *viewFor(QChart *chart, QWidget *parent)
{
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(240, 160);
    return view;
}

} // namespace

ThroughputCharts::ThroughputCharts(QWidget *parent)
    : QWidget(parent)
{
    QChart *rates = makeChart(tr("Messages per second"), tr("messages/s"), &m_rateAxes);
    m_in = addSeries(rates, m_rateAxes, tr("In (from clients)"), QColor(0x1f, 0x77, 0xb4));
    m_out = addSeries(rates, m_rateAxes, tr("Out (to clients)"), QColor(0x2c, 0xa0, 0x2c));
    m_deliveries = addSeries(rates, m_rateAxes, tr("Chat deliveries"), QColor(0xff, 0x7f, 0x0e));

    // Deliveries are most of what goes out, so the two lines often coincide; dashes on top
    // let the line underneath show through.
    QPen dashed = m_deliveries->pen();
    dashed.setStyle(Qt::DashLine);
    m_deliveries->setPen(dashed);

    QChart *connections = makeChart(tr("Connections"), tr("connections"), &m_connectionAxes);
    m_connections =
        addSeries(connections, m_connectionAxes, tr("Open connections"), QColor(0x94, 0x67, 0xbd));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(viewFor(rates, this), 3);
    layout->addWidget(viewFor(connections, this), 2);

    setValueRange(m_rateAxes.value, 0, 5);
    setValueRange(m_connectionAxes.value, 0, 4);
}

QChart *ThroughputCharts::makeChart(const QString &title, const QString &unit, Axes *axes)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    QFont titleFont = chart->titleFont();
    titleFont.setBold(true);
    chart->setTitleFont(titleFont);
    chart->setMargins(QMargins(4, 2, 4, 2));
    chart->setBackgroundRoundness(0);
    chart->layout()->setContentsMargins(0, 0, 0, 0); // no grey frame around each chart
    chart->setAnimationOptions(QChart::NoAnimation); // animations lag behind a live feed
    chart->legend()->setAlignment(Qt::AlignBottom);

    axes->chart = chart;
    axes->time = new QDateTimeAxis(chart);
    axes->time->setFormat(QStringLiteral("HH:mm:ss"));
    axes->time->setTickCount(6);
    axes->value = new QValueAxis(chart);
    axes->value->setTitleText(unit);
    axes->value->setTickType(QValueAxis::TicksDynamic);
    axes->value->setTickAnchor(0);
    chart->addAxis(axes->time, Qt::AlignBottom);
    chart->addAxis(axes->value, Qt::AlignLeft);
    return chart;
}

QLineSeries *ThroughputCharts::addSeries(QChart *chart, const Axes &axes, const QString &name,
                                         const QColor &color)
{
    auto *series = new QLineSeries(chart);
    series->setName(name);
    QPen pen(color);
    pen.setWidthF(2);
    series->setPen(pen);
    chart->addSeries(series);
    series->attachAxis(axes.time);
    series->attachAxis(axes.value);
    return series;
}

void ThroughputCharts::showHistory(const ThroughputHistory &history)
{
    const QList<ThroughputHistory::Sample> &samples = history.samples();
    QList<QPointF> in, out, deliveries, connections;
    in.reserve(samples.size());
    out.reserve(samples.size());
    deliveries.reserve(samples.size());
    connections.reserve(samples.size());

    double peakRate = 0;
    int peakConnections = 0;
    for (const ThroughputHistory::Sample &sample : samples) {
        const auto x = double(sample.time.toMSecsSinceEpoch());
        in.append({x, sample.messagesInPerSecond});
        out.append({x, sample.messagesOutPerSecond});
        deliveries.append({x, sample.deliveriesPerSecond});
        connections.append({x, double(sample.connections)});
        peakRate = std::max({peakRate, sample.messagesInPerSecond, sample.messagesOutPerSecond,
                             sample.deliveriesPerSecond});
        peakConnections = std::max(peakConnections, sample.connections);
    }

    m_in->replace(in);
    m_out->replace(out);
    m_deliveries->replace(deliveries);
    m_connections->replace(connections);

    setTimeRange(history);
    setValueRange(m_rateAxes.value, peakRate, 5);
    setValueRange(m_connectionAxes.value, peakConnections, 4);
}

void ThroughputCharts::setTimeRange(const ThroughputHistory &history)
{
    const QList<ThroughputHistory::Sample> &samples = history.samples();
    const QDateTime newest =
        samples.isEmpty() ? QDateTime::currentDateTime() : samples.constLast().time;
    const qint64 age = samples.isEmpty() ? 0 : samples.constFirst().time.secsTo(newest);

    // A young hub's few seconds fill the chart instead of a sliver at its right edge; after
    // WindowSeconds the axis scrolls.
    const qint64 span = std::clamp<qint64>(age, MinimumWindowSeconds, WindowSeconds);
    const QString format = span <= 120 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
    for (const Axes *axes : {&m_rateAxes, &m_connectionAxes}) {
        axes->time->setRange(newest.addSecs(-span), newest);
        axes->time->setFormat(format);

        // As many labels as fit side by side; a fixed count overlaps them in a narrow chart.
        const int width = int(axes->chart->plotArea().width());
        axes->time->setTickCount(std::clamp(width / 90 + 1, 2, 7));
    }
}

void ThroughputCharts::setValueRange(QValueAxis *axis, double peak, double minimumTop)
{
    // Four or five gridlines at round values, with headroom so the peak does not touch the top.
    const double top = std::max(peak * 1.1, minimumTop);
    const double step = niceStep(top / 4);
    axis->setTickInterval(step);
    axis->setRange(0, std::ceil(top / step) * step);
    axis->setLabelFormat(step < 1 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
}

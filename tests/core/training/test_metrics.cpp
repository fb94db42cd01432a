// Metrics against scikit-learn on the same scores: the AUCs, both curves point by point and the metrics at a
// threshold must agree to 1e-9 (tests/core/metrics_sklearn.py computes sklearn's values under
// /usr/bin/python3). Then the bootstrap intervals, threshold rules and input errors.
#include "TimingBounds.h"
#include "training/Metrics.h"
#include "util/Error.h"
#include "util/Random.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <set>

using namespace rm;
using nlohmann::json;

namespace {

constexpr double kTol = 1e-9;

struct ScoreSet
{
    std::string name;
    std::vector<int> labels;
    std::vector<float> scores;
    std::vector<double> thresholds;
};

// Scores that depend on the label (separation `shift`), optionally rounded to `step` to make ties.
ScoreSet generated(const std::string& name, std::size_t n, double positiveRate, double shift, double step,
                   std::uint64_t seed)
{
    SplitMix64 rng(seed);
    ScoreSet s;
    s.name = name;
    for (std::size_t i = 0; i < n; ++i) {
        const int label = rng.uniform() < positiveRate ? 1 : 0;
        double score = rng.uniform() * (1 - shift) + shift * label;
        if (step > 0) score = std::round(score / step) * step;
        s.labels.push_back(label);
        s.scores.push_back(float(score));
    }
    return s;
}

ScoreSet fixed(const std::string& name, std::vector<int> labels, std::vector<float> scores)
{
    ScoreSet s;
    s.name = name;
    s.labels = std::move(labels);
    s.scores = std::move(scores);
    return s;
}

std::vector<ScoreSet> scoreSets()
{
    std::vector<ScoreSet> sets;
    sets.push_back(generated("random", 500, 0.3, 0.3, 0, 1));
    sets.push_back(generated("ties", 400, 0.4, 0.2, 0.1, 2));
    sets.push_back(generated("coarse_ties", 300, 0.5, 0.1, 0.5, 3));
    {
        // Every positive above every negative, and the same scores turned upside down.
        ScoreSet p = generated("perfect", 60, 0.4, 0, 0, 4);
        for (std::size_t i = 0; i < p.scores.size(); ++i)
            p.scores[i] = p.labels[i] ? 0.6f + 0.4f * p.scores[i] : 0.4f * p.scores[i];
        sets.push_back(p);
        ScoreSet inv = p;
        inv.name = "inverted";
        for (float& x : inv.scores)
            x = 1.0f - x;
        sets.push_back(inv);
    }
    {
        ScoreSet pos = generated("all_positive", 25, 1.0, 0, 0, 5);
        ScoreSet neg = generated("all_negative", 25, 0.0, 0, 0.05, 6);
        sets.push_back(pos);
        sets.push_back(neg);
    }
    sets.push_back(fixed("tiny1", {1}, {0.7f}));
    sets.push_back(fixed("tiny2_tie", {0, 1}, {0.4f, 0.4f}));
    sets.push_back(fixed("tiny3", {1, 0, 1}, {0.2f, 0.9f, 0.2f}));
    sets.push_back(fixed("tiny4", {0, 1, 1, 0}, {0.1f, 0.35f, 0.8f, 0.4f})); // sklearn's doc example
    sets.push_back(fixed("constant", std::vector<int>{0, 1, 1, 0, 1, 0, 0}, std::vector<float>(7, 0.25f)));
    {
        // Logits: negative scores and scores above 1, where "max + 1" and 0.5 behave differently.
        ScoreSet l = generated("logits", 300, 0.35, 0.4, 0, 7);
        for (float& x : l.scores)
            x = float(12.0 * (x - 0.5));
        sets.push_back(l);
    }
    sets.push_back(generated("big", 10000, 0.1, 0.25, 0, 8));
    sets.push_back(generated("big_ties", 10000, 0.2, 0.15, 0.001, 9));

    sets.push_back(generated("boot", 2000, 0.3, 0.2, 0, 10)); // also bootstrapped by numpy
    for (ScoreSet& s : sets) {
        const auto [lo, hi] = std::minmax_element(s.scores.begin(), s.scores.end());
        s.thresholds = {0.5,
                        chooseThreshold(s.labels, s.scores, ThresholdRule::MaxF1),
                        chooseThreshold(s.labels, s.scores, ThresholdRule::Youden),
                        double(*lo),
                        double(*hi),
                        double(*hi) + 0.125,
                        double(*lo) - 1.0};
    }
    return sets;
}

QString scriptPath()
{
    const QByteArray src = qgetenv("RINGMINER_SOURCE_DIR");
    if (!src.isEmpty()) return QDir(QString::fromLocal8Bit(src)).filePath("tests/core/metrics_sklearn.py");
    return QFileInfo(QStringLiteral(__FILE__)).dir().filePath("metrics_sklearn.py");
}

std::string exact(double x)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
}

// Runs the sklearn script on the sets; fails the test (never skips) when python3-sklearn is not there.
json sklearnReference(const std::vector<ScoreSet>& sets, const QTemporaryDir& dir,
                      const std::string& bootstrapSet)
{
    const QString samplesPath = dir.filePath("samples.csv"), thresholdsPath = dir.filePath("thresholds.csv");
    std::string samples = "set,label,score\n", thresholds = "set,threshold\n";
    for (const ScoreSet& s : sets) {
        for (std::size_t i = 0; i < s.labels.size(); ++i)
            samples += s.name + "," + std::to_string(s.labels[i]) + "," + exact(s.scores[i]) + "\n";
        for (double t : s.thresholds)
            thresholds += s.name + "," + exact(t) + "\n";
    }
    for (const auto& [path, text] :
         {std::pair{samplesPath, samples}, std::pair{thresholdsPath, thresholds}}) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly)) throw Error("cannot write " + path.toStdString());
        f.write(text.data(), qint64(text.size()));
    }
    QProcess p;
    QStringList args{scriptPath(), samplesPath, thresholdsPath};
    if (!bootstrapSet.empty()) args << QString::fromStdString(bootstrapSet);
    p.start("/usr/bin/python3", args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        throw Error("/usr/bin/python3 metrics_sklearn.py did not finish (is /usr/bin/python3 installed?)");
    }
    const QString err = QString::fromUtf8(p.readAllStandardError());
    if (p.exitStatus() == QProcess::NormalExit && p.exitCode() == 3)
        throw Error("this test needs scikit-learn and numpy under /usr/bin/python3 (apt-get install "
                    "python3-sklearn): " +
                    err.toStdString());
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        throw Error("/usr/bin/python3 " + scriptPath().toStdString() + " failed (exit " +
                    std::to_string(p.exitCode()) + "): " + err.toStdString());
    return json::parse(p.readAllStandardOutput().toStdString());
}

double value(const json& j)
{
    if (j.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (j.is_string())
        return j == "inf" ? std::numeric_limits<double>::infinity()
                          : -std::numeric_limits<double>::infinity();
    return j.get<double>();
}

bool agrees(double ours, const json& theirs, double tol = kTol)
{
    const double t = value(theirs);
    if (std::isnan(t) || std::isnan(ours)) return std::isnan(t) && std::isnan(ours);
    return std::fabs(ours - t) <= tol;
}

QString describe(const std::string& set, const char* what, double ours, const json& theirs)
{
    return QString("%1: %2: ours %3, sklearn %4")
        .arg(QString::fromStdString(set), what, QString::number(ours, 'g', 17),
             QString::fromStdString(theirs.dump()));
}

void compareCurve(const std::string& set, const char* what, const Curve& ours, const json& theirs)
{
    const std::string label = set + " " + what;
    QVERIFY2(ours.x.size() == theirs["x"].size() && ours.y.size() == theirs["y"].size() &&
                 ours.thresholds.size() == theirs["thresholds"].size(),
             qPrintable(QString("%1: %2 points / %3 thresholds, sklearn %4 / %5")
                            .arg(QString::fromStdString(label))
                            .arg(ours.x.size())
                            .arg(ours.thresholds.size())
                            .arg(theirs["x"].size())
                            .arg(theirs["thresholds"].size())));
    for (std::size_t i = 0; i < ours.x.size(); ++i) {
        QVERIFY2(agrees(ours.x[i], theirs["x"][i]),
                 qPrintable(describe(label, "x", ours.x[i], theirs["x"][i])));
        QVERIFY2(agrees(ours.y[i], theirs["y"][i]),
                 qPrintable(describe(label, "y", ours.y[i], theirs["y"][i])));
    }
    // Thresholds are the scores themselves (and max + 1 for the first ROC point): exactly equal.
    for (std::size_t i = 0; i < ours.thresholds.size(); ++i)
        QVERIFY2(agrees(ours.thresholds[i], theirs["thresholds"][i], 0.0),
                 qPrintable(describe(label, "threshold", ours.thresholds[i], theirs["thresholds"][i])));
}

template <typename F> QString errorOf(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

double width(const MetricInterval& m)
{
    return m.high - m.low;
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::vector<ScoreSet> m_sets;
    json m_reference;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_sets = scoreSets();
        try {
            m_reference = sklearnReference(m_sets, m_dir, "boot");
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        qInfo("scikit-learn %s", m_reference["sklearn_version"].get<std::string>().c_str());
    }

    void aucsMatchSklearn()
    {
        for (const ScoreSet& s : m_sets) {
            const json& ref = m_reference["sets"][s.name];
            const double auc = rocAuc(s.labels, s.scores);
            QVERIFY2(agrees(auc, ref["roc_auc"]),
                     qPrintable(describe(s.name, "roc_auc", auc, ref["roc_auc"])));
            const double ap = averagePrecision(s.labels, s.scores);
            if (std::count(s.labels.begin(), s.labels.end(), 1) == 0) {
                // Undefined without positives: sklearn warns and returns 0, we say NaN.
                QVERIFY2(std::isnan(ap), s.name.c_str());
                QCOMPARE(value(ref["average_precision"]), 0.0);
            } else {
                QVERIFY2(agrees(ap, ref["average_precision"]),
                         qPrintable(describe(s.name, "average_precision", ap, ref["average_precision"])));
            }
        }
        // Spot values that do not depend on sklearn.
        QCOMPARE(rocAuc({0, 1}, {0.4f, 0.4f}), 0.5);
        QCOMPARE(rocAuc({0, 0, 1, 1}, {0.1f, 0.4f, 0.35f, 0.8f}), 0.75);
        QVERIFY(std::isnan(rocAuc({1, 1}, {0.1f, 0.2f})));
        QVERIFY(std::isnan(rocAuc({}, {})));
    }

    void curvesMatchSklearn()
    {
        for (const ScoreSet& s : m_sets) {
            const json& ref = m_reference["sets"][s.name];
            compareCurve(s.name, "roc", rocCurve(s.labels, s.scores), ref["roc"]);
            compareCurve(s.name, "pr", prCurve(s.labels, s.scores), ref["pr"]);
        }
        QVERIFY(rocCurve({}, {}).x.empty());
        QVERIFY(prCurve({}, {}).thresholds.empty());
    }

    void thresholdMetricsMatchSklearn()
    {
        for (const ScoreSet& s : m_sets) {
            const json& ref = m_reference["sets"][s.name];
            QCOMPARE(ref["at"].size(), s.thresholds.size());
            for (std::size_t k = 0; k < s.thresholds.size(); ++k) {
                const json& at = ref["at"][k];
                const double t = s.thresholds[k];
                const std::string where = s.name + " at " + std::to_string(t);
                const ConfusionMatrix c = confusionAt(s.labels, s.scores, t);
                const BinaryMetrics m = computeMetrics(s.labels, s.scores, t);
                QCOMPARE(m.threshold, t);
                for (const ConfusionMatrix& x : {c, m.confusion}) {
                    QVERIFY2(x.tp == at["tp"] && x.fp == at["fp"] && x.tn == at["tn"] && x.fn == at["fn"],
                             qPrintable(QString::fromStdString(where + " confusion " + at.dump())));
                }
                const std::int64_t den[] = {c.tp + c.fp + c.tn + c.fn, c.tp + c.fp, c.tp + c.fn,
                                            2 * c.tp + c.fp + c.fn};
                const char* names[] = {"accuracy", "precision", "recall", "f1"};
                for (int i = 0; i < 4; ++i) {
                    const double ours = m.values.at(names[i]);
                    if (den[i] == 0) {
                        // Undefined: sklearn (zero_division=0) says 0, we say NaN.
                        QVERIFY2(std::isnan(ours),
                                 qPrintable(QString::fromStdString(where) + " " + names[i]));
                        QCOMPARE(value(at[names[i]]), 0.0);
                    } else {
                        QVERIFY2(agrees(ours, at[names[i]]),
                                 qPrintable(describe(where, names[i], ours, at[names[i]])));
                    }
                }
                QVERIFY(agrees(m.values.at("roc_auc"), ref["roc_auc"]));
                QCOMPARE(m.values.size(), std::size_t(6));
            }
        }
    }

    void thresholdRules()
    {
        for (const ScoreSet& s : m_sets) {
            const std::int64_t positives = std::count(s.labels.begin(), s.labels.end(), 1);
            const std::int64_t negatives = std::int64_t(s.labels.size()) - positives;
            QCOMPARE(chooseThreshold(s.labels, s.scores, ThresholdRule::Fixed), 0.5);
            // Brute force over every distinct score, highest first, exact fractions.
            std::set<float, std::greater<float>> distinct(s.scores.begin(), s.scores.end());
            double bestF1 = 0.5, bestJ = 0.5;
            std::int64_t f1Num = -1, f1Den = 1, jBest = std::numeric_limits<std::int64_t>::min();
            for (float t : distinct) {
                const ConfusionMatrix c = confusionAt(s.labels, s.scores, t);
                if (2 * c.tp * f1Den > f1Num * (2 * c.tp + c.fp + c.fn)) {
                    f1Num = 2 * c.tp;
                    f1Den = 2 * c.tp + c.fp + c.fn;
                    bestF1 = t;
                }
                const std::int64_t j = c.tp * negatives - c.fp * positives;
                if (j > jBest) {
                    jBest = j;
                    bestJ = t;
                }
            }
            if (positives == 0) bestF1 = 0.5;
            if (positives == 0 || negatives == 0) bestJ = 0.5;
            QCOMPARE(chooseThreshold(s.labels, s.scores, ThresholdRule::MaxF1), bestF1);
            QCOMPARE(chooseThreshold(s.labels, s.scores), bestF1);
            QCOMPARE(chooseThreshold(s.labels, s.scores, ThresholdRule::Youden), bestJ);
        }
        // Ties go to the highest threshold: 0.9 and 0.5 both give F1 = 2/3.
        QCOMPARE(chooseThreshold({1, 0, 0, 1, 0}, {0.9f, 0.7f, 0.6f, 0.5f, 0.1f}, ThresholdRule::MaxF1),
                 double(0.9f));
        QCOMPARE(chooseThreshold({}, {}, ThresholdRule::MaxF1), 0.5);
    }

    void undefinedMetricsAreNaN()
    {
        const BinaryMetrics empty = computeMetrics({}, {}, 0.5);
        for (const auto& [name, v] : empty.values)
            QVERIFY2(std::isnan(v), name.c_str());
        const BinaryMetrics none = computeMetrics({0, 1, 0}, {0.1f, 0.2f, 0.3f}, 0.9);
        QVERIFY(std::isnan(none.values.at("precision")));
        QCOMPARE(none.values.at("recall"), 0.0);
        QCOMPARE(none.values.at("f1"), 0.0);
        const BinaryMetrics oneClass = computeMetrics({0, 0}, {0.1f, 0.7f}, 0.5);
        QVERIFY(std::isnan(oneClass.values.at("roc_auc")) && std::isnan(oneClass.values.at("pr_auc")));
        QVERIFY(std::isnan(oneClass.values.at("recall")));
        QCOMPARE(oneClass.values.at("precision"), 0.0);
        QCOMPARE(oneClass.values.at("f1"), 0.0); // 2tp / (2tp + fp + fn) = 0 / 1
        QCOMPARE(oneClass.values.at("accuracy"), 0.5);
    }

    void bootstrapIntervals()
    {
        const ScoreSet& s = m_sets.back(); // "boot", 2000 samples
        QCOMPARE(s.name, std::string("boot"));
        const double t = s.thresholds[0];
        const auto ci = bootstrapMetrics(s.labels, s.scores, t, 1000, 7);
        const BinaryMetrics point = computeMetrics(s.labels, s.scores, t);
        QCOMPARE(ci.size(), std::size_t(6));
        for (const auto& [name, m] : ci) {
            QCOMPARE(m.value, point.values.at(name));
            QVERIFY2(
                m.low <= m.value && m.value <= m.high && m.low < m.high,
                qPrintable(QString("%1: %2 [%3, %4]").arg(name.c_str()).arg(m.value).arg(m.low).arg(m.high)));
        }
        // metrics_sklearn.py redraws the very same resamples (SplitMix64 seed 7, Lemire's below(n)), scores
        // each with scikit-learn and cuts them with numpy's percentile: the intervals agree to rounding. Off
        // by one in the percentile index, a shifted resample or another interpolation moves an end by a whole
        // gap between sorted draws (~1e-4 for the AUCs here), far outside 1e-9.
        const json& ref = m_reference["bootstrap"];
        for (const char* name : {"roc_auc", "pr_auc", "accuracy", "precision", "recall", "f1"}) {
            const MetricInterval& m = ci.at(name);
            const double lo = ref[name][0], hi = ref[name][1];
            QVERIFY2(std::fabs(m.low - lo) <= 1e-9 && std::fabs(m.high - hi) <= 1e-9,
                     qPrintable(QString("%1: ours [%2, %3], numpy on the same resamples [%4, %5]")
                                    .arg(name)
                                    .arg(m.low, 0, 'g', 17)
                                    .arg(m.high, 0, 'g', 17)
                                    .arg(lo, 0, 'g', 17)
                                    .arg(hi, 0, 'g', 17)));
        }
        // Deterministic by seed, and the seed matters.
        const auto again = bootstrapMetrics(s.labels, s.scores, t, 1000, 7);
        const auto other = bootstrapMetrics(s.labels, s.scores, t, 1000, 8);
        for (const auto& [name, m] : ci) {
            QCOMPARE(again.at(name).low, m.low);
            QCOMPARE(again.at(name).high, m.high);
        }
        QVERIFY(other.at("roc_auc").low != ci.at("roc_auc").low ||
                other.at("roc_auc").high != ci.at("roc_auc").high);
        // A narrower level gives a narrower interval.
        const auto narrow = bootstrapMetrics(s.labels, s.scores, t, 1000, 7, 0.5);
        QVERIFY(width(narrow.at("roc_auc")) < width(ci.at("roc_auc")));
    }

    void bootstrapNarrowsWithMoreSamples()
    {
        const ScoreSet small = generated("small", 200, 0.3, 0.2, 0, 21);
        const ScoreSet large = generated("large", 5000, 0.3, 0.2, 0, 21);
        const auto a = bootstrapMetrics(small.labels, small.scores, 0.5, 500, 1);
        const auto b = bootstrapMetrics(large.labels, large.scores, 0.5, 500, 1);
        // sqrt(200 / 5000) = 0.2; allow for noise.
        for (const char* name : {"roc_auc", "pr_auc", "accuracy", "precision", "recall", "f1"})
            QVERIFY2(
                width(b.at(name)) < 0.4 * width(a.at(name)),
                qPrintable(QString("%1: %2 vs %3").arg(name).arg(width(b.at(name))).arg(width(a.at(name)))));
    }

    void bootstrapEdgeCases()
    {
        // Perfect separation: every resample with both classes has AUC 1.
        const ScoreSet& perfect = *std::find_if(m_sets.begin(), m_sets.end(),
                                                [](const ScoreSet& s) { return s.name == "perfect"; });
        const auto p = bootstrapMetrics(perfect.labels, perfect.scores, 0.5, 200, 3);
        QCOMPARE(p.at("roc_auc").low, 1.0);
        QCOMPARE(p.at("roc_auc").high, 1.0);
        // One class: the AUCs have no interval at all, the threshold metrics still do.
        const auto neg = bootstrapMetrics({0, 0, 0, 0}, {0.1f, 0.6f, 0.2f, 0.7f}, 0.5, 200, 3);
        QVERIFY(std::isnan(neg.at("roc_auc").value) && std::isnan(neg.at("roc_auc").low) &&
                std::isnan(neg.at("roc_auc").high));
        QVERIFY(neg.at("accuracy").low >= 0 && neg.at("accuracy").high <= 1);
        // Tiny n: one-class resamples are skipped for the AUCs, not counted.
        const auto tiny = bootstrapMetrics({1, 0, 1}, {0.2f, 0.9f, 0.2f}, 0.5, 500, 3);
        QVERIFY(tiny.at("roc_auc").low >= 0 && tiny.at("roc_auc").high <= 0.5);
        QVERIFY(tiny.at("pr_auc").high < 1.0);
        QVERIFY(errorOf([] { bootstrapMetrics({0, 1}, {0.1f, 0.2f}, 0.5, 0); }).contains("resample"));
        QVERIFY(errorOf([] { bootstrapMetrics({0, 1}, {0.1f, 0.2f}, 0.5, 10, 0, 1.0); }).contains("level"));
    }

    void bootstrapIsFast()
    {
        const ScoreSet& big =
            *std::find_if(m_sets.begin(), m_sets.end(), [](const ScoreSet& s) { return s.name == "big"; });
        QCOMPARE(big.labels.size(), std::size_t(10000));
        QElapsedTimer timer;
        timer.start();
        const auto ci = bootstrapMetrics(big.labels, big.scores, 0.5, 1000, 11);
        const qint64 ms = timer.elapsed();
        qInfo("bootstrap: 1000 resamples of 10000 samples in %lld ms", ms);
        QVERIFY(ci.at("roc_auc").low < ci.at("roc_auc").high);
        QVERIFY2(ms < rmtest::timeBound(1000), qPrintable(QString("took %1 ms").arg(ms)));
    }

    void inputErrors()
    {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const std::vector<int> badLabel{0, 1, 0, 2, 1};
        const std::vector<int> negLabel{0, -1, 0, 1, 1};
        const std::vector<int> labels{0, 1, 0, 1, 1, 0};
        const std::vector<float> scores{0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
        const std::vector<float> nanScores{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, nan};
        std::vector<float> infScores = nanScores;
        infScores[5] = std::numeric_limits<float>::infinity();

        using Call = std::function<void(const std::vector<int>&, const std::vector<float>&)>;
        const std::vector<std::pair<const char*, Call>> calls = {
            {"rocAuc", [](auto& l, auto& s) { rocAuc(l, s); }},
            {"averagePrecision", [](auto& l, auto& s) { averagePrecision(l, s); }},
            {"rocCurve", [](auto& l, auto& s) { rocCurve(l, s); }},
            {"prCurve", [](auto& l, auto& s) { prCurve(l, s); }},
            {"confusionAt", [](auto& l, auto& s) { confusionAt(l, s, 0.5); }},
            {"chooseThreshold", [](auto& l, auto& s) { chooseThreshold(l, s); }},
            {"chooseThreshold fixed", [](auto& l, auto& s) { chooseThreshold(l, s, ThresholdRule::Fixed); }},
            {"computeMetrics", [](auto& l, auto& s) { computeMetrics(l, s, 0.5); }},
            {"bootstrapMetrics", [](auto& l, auto& s) { bootstrapMetrics(l, s, 0.5, 10); }},
        };
        for (const auto& [name, call] : calls) {
            QString err = errorOf([&] { call(badLabel, scores); });
            QVERIFY2(err.contains("sample 3") && err.contains("2"), qPrintable(QString(name) + ": " + err));
            err = errorOf([&] { call(negLabel, scores); });
            QVERIFY2(err.contains("sample 1") && err.contains("-1"), qPrintable(QString(name) + ": " + err));
            err = errorOf([&] { call(labels, nanScores); });
            QVERIFY2(err.contains("sample 5") && err.contains("nan"), qPrintable(QString(name) + ": " + err));
            err = errorOf([&] { call(labels, infScores); });
            QVERIFY2(err.contains("sample 5"), qPrintable(QString(name) + ": " + err));
            err = errorOf([&] { call(labels, scores); });
            QVERIFY2(err.contains("6 labels") && err.contains("5 scores"),
                     qPrintable(QString(name) + ": " + err));
        }
    }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"

// Cross-validated evaluation and the feature baseline: folds are deterministic, stratified partitions; the
// pooled metrics equal a recomputation from the stored out-of-fold scores; the logistic regression agrees
// with scikit-learn on the same problem; profile_lr separates the demo survey's synthetic rings (where the
// answer is known) through the run queue like any cell; a cross-validated cell paused between folds resumes
// to exactly the scores of an uninterrupted run, and a changed matrix re-trains from scratch.
#include "TestData.h"

#include "imaging/ProfileFeatures.h"
#include "store/ProjectStore.h"
#include "synthetic/SyntheticGalaxy.h"
#include "targets/TargetSetBuilder.h"
#include "training/CrossValidation.h"
#include "training/ExperimentMatrix.h"
#include "training/FeatureBaseline.h"
#include "training/LogisticRegression.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"
#include "training/TrainConfig.h"
#include "util/Error.h"

#include <QProcess>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <set>

using namespace rm;
using nlohmann::json;

namespace {

json matrixOf(const json& models, const json& extraDefaults)
{
    json defaults = {{"image_size", 32},    {"epochs", 2},        {"batch_size", 8},
                     {"warmup_epochs", 0},  {"patience", 0},      {"device", "cpu"},
                     {"loader_threads", 1}, {"torch_threads", 1}, {"max_steps_per_epoch", 3},
                     {"cv_folds", 3},       {"cv_repeats", 1}};
    if (extraDefaults.is_object()) defaults.update(extraDefaults);
    return {{"name", "cv"},
            {"target_sets", {"demo"}},
            {"modes", {"all_layers"}},
            {"models", models},
            {"defaults", defaults}};
}

const json kProfileModels = json::array({{{"name", "plr3"}, {"arch", "profile_lr"}, {"in_chans", 3}},
                                         {{"name", "plr1"}, {"arch", "profile_lr"}, {"in_chans", 1}}});
const json kCnnModel = json::array({{{"name", "cnn"}, {"arch", "simple_cnn"}, {"in_chans", 1}}});

} // namespace

class TestCrossValidation : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string m_project;

    int train(const json& matrix, const std::string& experiment, std::atomic<int>* stop = nullptr,
              const std::function<void(const RunEvent&)>& onEvent = {})
    {
        RunQueue queue(m_project, ExperimentMatrix::fromJson(matrix), experiment, {}, /*replace=*/true);
        return queue.run(
            [&](const RunEvent& e) {
                if (onEvent) onEvent(e);
            },
            stop);
    }

    // The out-of-fold scores of a run's cells, per (repeat, target).
    std::map<std::pair<int, std::int64_t>, float> cvScores(std::int64_t runId)
    {
        auto store = ProjectStore::open(m_project);
        RunStore runs(*store);
        std::map<std::pair<int, std::int64_t>, float> out;
        for (const CvPrediction& p : runs.cvPredictions(runId))
            out[{p.repeat, p.targetIdx}] = p.score;
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        RM_REQUIRE_IMAGE_DECODING();
        QVERIFY(m_dir.isValid());
        const auto made = rmtest::runCli({"demo", "make", m_dir.filePath("demo"), "--rings", "24",
                                          "--non-rings", "24", "--size", "48", "--json"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        m_project = QDir::current().absoluteFilePath(made.json().value("project").toString()).toStdString();
    }

    void splitsAreDeterministicStratifiedPartitions()
    {
        std::vector<int> labels(50, -1);
        std::vector<std::size_t> records;
        for (std::size_t i = 0; i < 47; ++i) { // records 47..49 are unused (no image)
            labels[i] = i % 3 == 0 ? 1 : 0;    // 16 positives, 31 negatives
            records.push_back(i);
        }
        const auto a = crossValidationSplits(labels, records, 5, 2, 7);
        const auto b = crossValidationSplits(labels, records, 5, 2, 7);
        const auto c = crossValidationSplits(labels, records, 5, 2, 8);
        QCOMPARE(a.size(), std::size_t(10));
        bool differs = false;
        for (std::size_t s = 0; s < a.size(); ++s) {
            QCOMPARE(a[s].test, b[s].test);
            QCOMPARE(a[s].val, b[s].val);
            differs = differs || a[s].test != c[s].test;
        }
        QVERIFY(differs);                // another seed deals other folds
        QVERIFY(a[0].test != a[5].test); // the second repeat deals again
        for (int r = 0; r < 2; ++r) {
            std::multiset<std::size_t> heldOut;
            for (int f = 0; f < 5; ++f) {
                const CvSplit& s = a[std::size_t(r * 5 + f)];
                QCOMPARE(s.repeat, r);
                QCOMPARE(s.fold, f);
                std::size_t pos = 0;
                for (std::size_t i : s.test) {
                    heldOut.insert(i);
                    pos += labels[i] == 1;
                }
                QVERIFY(pos == 3 || pos == 4);                                 // 16 positives over 5 folds
                QVERIFY(s.test.size() - pos == 6 || s.test.size() - pos == 7); // 31 negatives
                std::set<std::size_t> all(s.train.begin(), s.train.end());
                for (std::size_t i : s.val)
                    QVERIFY(all.insert(i).second);
                for (std::size_t i : s.test)
                    QVERIFY(all.insert(i).second);
                QCOMPARE(all.size(), records.size()); // train + val + test = every record, once
                std::size_t valPos = 0;
                for (std::size_t i : s.val)
                    valPos += labels[i] == 1;
                QVERIFY(valPos >= 1 && valPos < s.val.size()); // both classes to validate on
            }
            QCOMPARE(heldOut.size(), records.size());
            QCOMPARE(std::set<std::size_t>(heldOut.begin(), heldOut.end()).size(), records.size());
        }
    }

    void tooFewGalaxiesIsAClearError()
    {
        std::vector<int> labels = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        std::vector<std::size_t> records(labels.size());
        for (std::size_t i = 0; i < records.size(); ++i)
            records[i] = i;
        try {
            crossValidationSplits(labels, records, 5, 1, 1);
            QFAIL("5 folds over 4 rings were accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("there are 4 rings"), e.what());
            QVERIFY(QString(e.what()).contains("fewer folds"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, applyJson(TrainConfig{}, json{{"cv_folds", 1}}));
        QVERIFY_THROWS_EXCEPTION(Error, applyJson(TrainConfig{}, json{{"cv_repeats", 0}}));
        QCOMPARE(applyJson(TrainConfig{}, json{{"cv_folds", 5}, {"cv_repeats", 3}}).cvRepeats, 3);
    }

    void pooledMetricsOnKnownScores()
    {
        CvPooledScores p;
        p.labels = {0, 0, 0, 1, 1, 1, 0, 1};
        p.scores = {{0.1f, 0.2f, 0.3f, 0.7f, 0.8f, 0.9f, 0.4f, 0.6f},
                    {0.9f, 0.1f, 0.2f, 0.8f, 0.7f, 0.3f, 0.4f, 0.6f}};
        p.foldAucs = {1.0, 0.5, 0.75};
        const auto m = pooledCvMetrics(p, 3, 500, 1);
        const double expected = (rocAuc(p.labels, p.scores[0]) + rocAuc(p.labels, p.scores[1])) / 2;
        QCOMPARE(m.at("roc_auc").value, expected);
        QVERIFY(m.at("roc_auc").low <= expected && expected <= m.at("roc_auc").high);
        QVERIFY(m.at("roc_auc").high - m.at("roc_auc").low > 0.05); // 8 galaxies: a wide interval
        QCOMPARE(m.at("fold_roc_auc_mean").value, 0.75);
        QCOMPARE(m.at("fold_roc_auc_sd").value, 0.25);
        QCOMPARE(m.at("repeats").value, 2.0);
        QCOMPARE(m.at("positives").value, 4.0);
        p.labels.assign(8, 1);
        QVERIFY_THROWS_EXCEPTION(Error, pooledCvMetrics(p, 3));
    }

    void logisticRegressionAgreesWithSklearn()
    {
        // Two informative features, one noise feature, one constant; unbalanced classes, class weights.
        std::vector<std::vector<double>> x;
        std::vector<int> y;
        std::vector<double> w;
        std::uint64_t state = 99;
        auto uniform = [&] { return (splitMix64Test(state) >> 11) * (1.0 / 9007199254740992.0); };
        for (int i = 0; i < 120; ++i) {
            const int label = i % 4 == 0;
            const double a = uniform() + 0.6 * label, b = uniform() - 0.3 * label, n = uniform();
            x.push_back({a * 10, b, n, 3.0});
            y.push_back(label);
            w.push_back(label ? 3.0 : 1.0);
        }
        const double lambda = 0.01;
        const LogisticModel m = fitLogistic(x, y, lambda, w);
        QCOMPARE(m.scale[3], 1.0); // a constant feature is left unscaled
        QTemporaryDir dir;
        const QString rows = dir.filePath("rows.csv");
        {
            std::ofstream out(rows.toStdString());
            out.precision(17);
            for (std::size_t i = 0; i < x.size(); ++i) {
                out << y[i] << "," << w[i];
                for (std::size_t j = 0; j < 4; ++j)
                    out << "," << (x[i][j] - m.mean[j]) / m.scale[j];
                out << "\n";
            }
        }
        QProcess py;
        const QByteArray src = qgetenv("RINGMINER_SOURCE_DIR");
        const QString script =
            src.isEmpty() ? QFileInfo(QStringLiteral(__FILE__)).dir().filePath("logistic_sklearn.py")
                          : QDir(QString::fromLocal8Bit(src)).filePath("tests/core/logistic_sklearn.py");
        py.start(QStringLiteral("/usr/bin/python3"), {script, rows, QString::number(lambda, 'g', 17)});
        QVERIFY(py.waitForFinished(120000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        const json ref = json::parse(py.readAllStandardOutput().toStdString());
        for (std::size_t j = 0; j < 4; ++j)
            QVERIFY2(std::fabs(ref["coef"][j].get<double>() - m.weights[j]) < 1e-4,
                     qPrintable(QStringLiteral("coef %1: sklearn %2, ours %3")
                                    .arg(j)
                                    .arg(ref["coef"][j].get<double>())
                                    .arg(m.weights[j])));
        QVERIFY(std::fabs(ref["intercept"].get<double>() - m.bias) < 1e-4);

        const LambdaSearch search = chooseLambda(x, y, defaultLambdaGrid(), 5, 3, w);
        QCOMPARE(search.meanLogLoss.size(), defaultLambdaGrid().size());
        for (double loss : search.meanLogLoss)
            QVERIFY(
                loss >=
                search.meanLogLoss[std::size_t(
                    std::find(search.grid.begin(), search.grid.end(), search.lambda) - search.grid.begin())]);
    }

    void ringProfilesShowTheRing()
    {
        // Synthetic galaxies with a ring and their no-ring twins (same galaxy, same field, same noise): the
        // ring lifts the profile beyond the bulge and puts a bump on it.
        const auto names = profileFeatureNames(3);
        QCOMPARE(profileFeatureNames(1).size(), std::size_t(34));
        QCOMPARE(names.size(), std::size_t(40));
        const std::size_t bumpAt =
            std::size_t(std::find(names.begin(), names.end(), "ring_bump") - names.begin());
        QVERIFY(bumpAt < names.size());
        auto features = [](const GalaxyParams& g) {
            const Image im = toRgb8(renderGalaxy(g));
            std::vector<float> planar(std::size_t(im.width) * im.height * 3);
            for (int c = 0; c < 3; ++c)
                for (int y = 0; y < im.height; ++y)
                    for (int x = 0; x < im.width; ++x)
                        planar[std::size_t(c) * im.width * im.height + std::size_t(y) * im.width + x] =
                            im.at(x, y, c) / 255.0f;
            return profileFeatures(planar.data(), 3, im.height, im.width);
        };
        int higher = 0, brighter = 0, pairs = 0;
        double difference = 0;
        SynthRng rng(5);
        for (Morphology m : {Morphology::Lenticular, Morphology::Spiral, Morphology::BarredSpiral})
            for (RingType t : {RingType::Inner, RingType::Outer, RingType::InnerOuter})
                for (int k = 0; k < 3; ++k) {
                    const GalaxyParams p = drawGalaxyParams(rng, m, t, 64);
                    const auto ring = features(p), plain = features(withoutRings(p));
                    double profile = 0; // profile_1 .. profile_15
                    for (std::size_t j = 1; j < 16; ++j)
                        profile += ring[j] - plain[j];
                    brighter += profile > 0;
                    higher += ring[bumpAt] > plain[bumpAt];
                    difference += ring[bumpAt] - plain[bumpAt];
                    ++pairs;
                }
        QVERIFY2(brighter >= pairs * 2 / 3 && higher >= pairs * 5 / 6 && difference / pairs > 0.02,
                 qPrintable(QStringLiteral("profile brighter in %1 of %2 pairs; ring bump higher in %3, mean "
                                           "difference %4")
                                .arg(brighter)
                                .arg(pairs)
                                .arg(higher)
                                .arg(difference / pairs)));
        QVERIFY_THROWS_EXCEPTION(Error, profileFeatures(nullptr, 2, 16, 16));
    }

    void featureBaselineSeparatesSyntheticRings()
    {
        std::vector<std::string> logs;
        QCOMPARE(train(matrixOf(kProfileModels, {{"cv_folds", 4}, {"cv_repeats", 2}}), "features", nullptr,
                       [&](const RunEvent& e) {
                           if (e.kind == RunEvent::Kind::Log) logs.push_back(e.message);
                       }),
                 2);
        auto store = ProjectStore::open(m_project);
        const std::size_t targets = loadTargets(*store, "demo").size();
        for (const RunSummary& r : listRuns(m_project, "features")) {
            QCOMPARE(r.state, std::string("done"));
            QCOMPARE(r.cvFoldsDone, 8);
            QCOMPARE(r.cvFoldsTotal, 8);
            // The synthetic rings are there to be found: the baseline must see them out of fold.
            QVERIFY2(r.cvAuc > 0.75,
                     qPrintable(
                         QStringLiteral("%1 CV AUC %2").arg(QString::fromStdString(r.cellKey)).arg(r.cvAuc)));
            QVERIFY(r.cvLow < r.cvAuc && r.cvAuc < r.cvHigh);
            QVERIFY(isFeatureModelFile(r.weightsPath));
            const FeatureModelInfo info = readFeatureModel(r.weightsPath);
            QCOMPARE(info.names, profileFeatureNames(r.model == "plr3" ? 3 : 1));
            QVERIFY(info.lambda > 0);
            // Every galaxy once per repeat, and the stored pooled AUC is the mean of the repeats' AUCs.
            const auto scores = cvScores(r.id);
            QCOMPARE(scores.size(), targets * 2);
            std::vector<int> labels[2];
            std::vector<float> values[2];
            RunStore runs(*store);
            for (const CvPrediction& p : runs.cvPredictions(r.id)) {
                labels[p.repeat].push_back(p.label);
                values[p.repeat].push_back(p.score);
            }
            const double expected = (rocAuc(labels[0], values[0]) + rocAuc(labels[1], values[1])) / 2;
            QVERIFY(std::fabs(expected - r.cvAuc) < 1e-9);
            QVERIFY(!QFileInfo::exists(QString::fromStdString(r.workDir) + "/cv")); // fold folders removed
            bool cvCurve = false;
            for (const StoredCurve& c : loadCurves(m_project, r.id))
                cvCurve = cvCurve || (c.split == "cv" && c.kind == "roc");
            QVERIFY(cvCurve);
        }
        QVERIFY(std::any_of(logs.begin(), logs.end(), [](const std::string& l) {
            return l.find("chosen by inner cross-validation") != std::string::npos;
        }));
        // Deterministic from the seed: the same matrix in another experiment gives the same scores.
        QCOMPARE(train(matrixOf(kProfileModels, {{"cv_folds", 4}, {"cv_repeats", 2}}), "features-again"), 2);
        const auto first = listRuns(m_project, "features"), again = listRuns(m_project, "features-again");
        QCOMPARE(cvScores(first[0].id), cvScores(again[0].id));
        // The best run is chosen by cross-validated AUC when every run has one.
        const RunSummary best = bestRun(m_project, "features");
        for (const RunSummary& r : first)
            QVERIFY(best.cvAuc >= r.cvAuc);
    }

    void pausedBetweenFoldsResumesToTheSameScores()
    {
        QCOMPARE(train(matrixOf(kCnnModel, {}), "whole"), 1);
        const RunSummary whole = listRuns(m_project, "whole").at(0);
        QCOMPARE(whole.cvFoldsDone, 3);

        // Pause once the second fold has started: the cell stays queued with one fold recorded.
        std::atomic<int> stop{0};
        QCOMPARE(train(matrixOf(kCnnModel, {}), "paused", &stop,
                       [&](const RunEvent& e) {
                           if (e.kind == RunEvent::Kind::Log &&
                               e.message.find("cv fold 2/3: epoch 1/") != std::string::npos)
                               stop = int(StopRequest::Pause);
                       }),
                 0);
        RunSummary paused = listRuns(m_project, "paused").at(0);
        QCOMPARE(paused.state, std::string("queued"));
        QCOMPARE(paused.cvFoldsDone, 1);
        QVERIFY(std::isnan(paused.cvAuc));
        QCOMPARE(train(matrixOf(kCnnModel, {}), "paused"), 1);
        paused = listRuns(m_project, "paused").at(0);
        QCOMPARE(paused.state, std::string("done"));
        QCOMPARE(paused.cvFoldsDone, 3);
        QCOMPARE(cvScores(paused.id), cvScores(whole.id));
        QCOMPARE(paused.cvAuc, whole.cvAuc);

        // A changed fold count re-trains the cell under the new config: old folds are gone, not mixed in.
        QCOMPARE(train(matrixOf(kCnnModel, {{"cv_folds", 2}}), "paused"), 1);
        paused = listRuns(m_project, "paused").at(0);
        QCOMPARE(paused.cvFoldsDone, 2);
        QCOMPARE(paused.cvFoldsTotal, 2);
    }

private:
    static std::uint64_t splitMix64Test(std::uint64_t& s)
    {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
};

QTEST_GUILESS_MAIN(TestCrossValidation)
#include "test_cross_validation.moc"

// The experiment matrix: the user's 18 configurations built in, how defaults, model keys, patterns and exact
// overrides combine, and the errors a bad matrix file gives (naming the key, model or cell).
#include "TestData.h"

#include "training/ExperimentMatrix.h"
#include "util/Error.h"

#include <QtTest>

#include <fstream>

using namespace rm;
using nlohmann::json;

namespace {

json smallMatrix()
{
    return json::parse(R"({
      "name": "small",
      "target_sets": ["a", "b"],
      "modes": ["head_only", "all_layers"],
      "models": [
        {"name": "cnn", "arch": "simple_cnn", "in_chans": 1, "modes": ["all_layers"], "epochs": 7},
        {"name": "r18", "arch": "resnet18", "in_chans": 1},
        {"name": "r50", "arch": "resnet50", "in_chans": 1},
        {"name": "eff3", "arch": "efficientnet_b0", "in_chans": 3, "pretrained": "/w/eff.safetensors"}
      ],
      "defaults": {"epochs": 2, "batch_size": 16, "image_size": 64, "learning_rate": 0.001},
      "overrides": {}
    })");
}

const MatrixCell& cellOf(const std::vector<MatrixCell>& cells, const std::string& key)
{
    for (const auto& c : cells)
        if (c.key == key) return c;
    throw Error("no cell " + key);
}

// The message of the rm::Error that f throws ("" when it throws none).
template <typename F> std::string errorOf(F f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestExperimentMatrix : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultHasTheEighteenConfigurations()
    {
        const ExperimentMatrix m = ExperimentMatrix::defaultMatrix();
        const auto cells = m.cells();
        QCOMPARE(cells.size(), std::size_t(18));
        const std::vector<std::string> perSet = {
            "simple_cnn/all_layers",  "effnet_b0_c1/head_only",  "effnet_b0_c1/all_layers",
            "effnet_b0_c3/head_only", "effnet_b0_c3/all_layers", "resnet18_c1/head_only",
            "resnet18_c1/all_layers", "resnet50_c1/head_only",   "resnet50_c1/all_layers"};
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const std::string set = i < 9 ? "gz2" : "gzd5";
            QCOMPARE(cells[i].key, set + "/" + perSet[i % 9]);
            QCOMPARE(cells[i].targetSet, set);
            QCOMPARE(cells[i].config.view.width, 224);
            QCOMPARE(cells[i].config.view.height, 224);
            QCOMPARE(cells[i].config.epochs, 10);
            QCOMPARE(cells[i].config.batchSize, 32);
            QCOMPARE(cells[i].config.view.channels, cells[i].config.model.inChannels);
        }
        const auto& cnn = cellOf(cells, "gz2/simple_cnn/all_layers");
        QCOMPARE(cnn.config.model.arch, std::string("simple_cnn"));
        QCOMPARE(cnn.config.model.inChannels, 1);
        QCOMPARE(cnn.config.learningRate, 1e-3); // from scratch: the more specific override wins
        const auto& c3 = cellOf(cells, "gzd5/effnet_b0_c3/head_only");
        QCOMPARE(c3.config.model.arch, std::string("efficientnet_b0"));
        QCOMPARE(c3.config.model.inChannels, 3);
        QVERIFY(c3.config.fineTune == FineTuneMode::HeadOnly);
        QCOMPARE(c3.config.learningRate, 1e-3); // the seed's head-only baseline
        const auto& r50 = cellOf(cells, "gzd5/resnet50_c1/all_layers");
        QCOMPARE(r50.config.model.arch, std::string("resnet50"));
        QCOMPARE(r50.config.model.inChannels, 1);
        QVERIFY(r50.config.fineTune == FineTuneMode::AllLayers);
        QCOMPARE(r50.config.learningRate, 1e-4); // fine-tuning every layer of a pretrained encoder
        QCOMPARE(cellOf(cells, "gz2/resnet18_c1/head_only").config.model.arch, std::string("resnet18"));
    }

    void defaultMatchesTheEditableResource()
    {
        const QByteArray root = qgetenv("RINGMINER_SOURCE_DIR");
        QVERIFY2(!root.isEmpty(), "RINGMINER_SOURCE_DIR is not set (run through ctest)");
        const ExperimentMatrix file =
            ExperimentMatrix::fromFile(root.toStdString() + "/resources/default_matrix.json");
        QCOMPARE(file.toJson(), ExperimentMatrix::defaultMatrix().toJson());
    }

    void precedence()
    {
        json j = smallMatrix();
        j["models"][1]["batch_size"] = 8;                     // model key beats defaults
        j["overrides"]["*/*/all_layers"] = {{"epochs", 3}};   // pattern beats model keys and defaults
        j["overrides"]["b/*/all_layers"] = {{"epochs", 4}};   // more literal parts beat fewer
        j["overrides"]["b/r18/all_layers"] = {{"epochs", 5}}; // an exact key beats every pattern
        j["overrides"]["a/r18/head_only"] = {{"batch_size", 4}};
        const auto cells = ExperimentMatrix::fromJson(j).cells();
        QCOMPARE(cellOf(cells, "a/r50/head_only").config.epochs, 2);
        QCOMPARE(cellOf(cells, "a/cnn/all_layers").config.epochs, 3); // the model said 7; the pattern wins
        QCOMPARE(cellOf(cells, "a/r18/all_layers").config.epochs, 3);
        QCOMPARE(cellOf(cells, "b/r50/all_layers").config.epochs, 4);
        QCOMPARE(cellOf(cells, "b/r18/all_layers").config.epochs, 5);
        QCOMPARE(cellOf(cells, "a/r18/all_layers").config.batchSize, 8);
        QCOMPARE(cellOf(cells, "a/r18/head_only").config.batchSize, 4);
        QCOMPARE(cellOf(cells, "a/r50/all_layers").config.batchSize, 16);
        QCOMPARE(cellOf(cells, "a/eff3/head_only").config.pretrained, std::string("/w/eff.safetensors"));
        QCOMPARE(cellOf(cells, "a/eff3/head_only").config.view.width, 64);
    }

    void patterns()
    {
        json j = smallMatrix();
        j["overrides"]["*/r*/all_layers"] = {{"seed", 7}};
        const auto cells = ExperimentMatrix::fromJson(j).cells();
        QCOMPARE(cells.size(), std::size_t(14)); // 2 sets x (1 + 3 x 2)
        for (const auto& c : cells) {
            const bool hit = (c.model == "r18" || c.model == "r50") && c.mode == "all_layers";
            QCOMPARE(c.config.seed, std::uint64_t(hit ? 7 : 42));
        }
        QVERIFY(cellKeyMatches("*/r18/*", "b/r18/head_only"));
        QVERIFY(!cellKeyMatches("*/r18/*", "b/r50/head_only"));
        QVERIFY(cellKeyMatches("*eff3*", "a/eff3/all_layers"));
        QVERIFY(cellKeyMatches("a/eff3/all_layers", "a/eff3/all_layers"));
        QVERIFY(!cellKeyMatches("a/eff3", "a/eff3/all_layers"));
    }

    void equallySpecificPatternsMustAgree()
    {
        json j = smallMatrix();
        j["overrides"]["a/*/*"] = {{"epochs", 3}};
        j["overrides"]["*/r18/*"] = {{"epochs", 4}};
        const std::string message = errorOf([&] { ExperimentMatrix::fromJson(j).cells(); });
        QVERIFY2(message.find("a/*/*") != std::string::npos && message.find("*/r18/*") != std::string::npos &&
                     message.find("epochs") != std::string::npos,
                 message.c_str());
        j["overrides"]["*/r18/*"] = {{"epochs", 3}}; // agreeing is fine
        QCOMPARE(cellOf(ExperimentMatrix::fromJson(j).cells(), "a/r18/head_only").config.epochs, 3);
    }

    void badMatricesNameWhatIsWrong_data()
    {
        QTest::addColumn<QString>(
            "patch"); // JSON merge patch on smallMatrix(), ' for " (moc and raw strings)
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown top-level key") << "{'epoch': 3}"
                                               << "unknown key 'epoch'";
        QTest::newRow("typo in defaults") << "{'defaults': {'epoch': 3}}"
                                          << "'epoch'";
        QTest::newRow("bad default value") << "{'defaults': {'batch_size': 0}}"
                                           << "batch_size";
        QTest::newRow("unknown arch") << "{'models': [{'name': 'm', 'arch': 'resnet19'}]}"
                                      << "model 'm': unknown arch 'resnet19'";
        QTest::newRow("model without arch") << "{'models': [{'name': 'm'}]}"
                                            << "needs \"arch\"";
        QTest::newRow("bad in_chans") << "{'models': [{'name': 'm', 'arch': 'resnet18', 'in_chans': 2}]}"
                                      << "model 'm'";
        QTest::newRow("model typo key")
            << "{'models': [{'name': 'm', 'arch': 'resnet18', 'lerning_rate': 1}]}"
            << "lerning_rate";
        QTest::newRow("duplicate model")
            << "{'models': [{'name': 'm', 'arch': 'resnet18'}, {'name': 'm', 'arch': 'resnet50'}]}"
            << "two models are named 'm'";
        QTest::newRow("bad mode") << "{'modes': ['head_only', 'all_layer']}"
                                  << "all_layer";
        QTest::newRow("model mode not in matrix") << "{'modes': ['all_layers'], 'models': [{'name': 'm', "
                                                     "'arch': 'resnet18', 'modes': ['head_only']}]}"
                                                  << "model 'm' lists mode 'head_only'";
        QTest::newRow("override key shape") << "{'overrides': {'a/r18': {'epochs': 1}}}"
                                            << "'a/r18'";
        QTest::newRow("override unknown model") << "{'overrides': {'a/r19/head_only': {'epochs': 1}}}"
                                                << "model 'r19'";
        QTest::newRow("override unknown mode") << "{'overrides': {'a/r18/last_layer': {'epochs': 1}}}"
                                               << "mode 'last_layer'";
        QTest::newRow("override typo") << "{'overrides': {'*/r18/*': {'epohcs': 1}}}"
                                       << "override '*/r18/*': unknown training option 'epohcs'";
        QTest::newRow("override sets arch") << "{'overrides': {'*/r18/*': {'arch': 'resnet50'}}}"
                                            << "sets 'arch'";
        QTest::newRow("no target sets") << "{'target_sets': []}"
                                        << "";
        QTest::newRow("duplicate target set") << "{'target_sets': ['a', 'a']}"
                                              << "names 'a' twice";
        QTest::newRow("cell fails validation")
            << "{'overrides': {'b/r50/all_layers': {'learning_rate': 1e-9}}}"
            << "cell 'b/r50/all_layers'";
    }

    void badMatricesNameWhatIsWrong()
    {
        QFETCH(QString, patch);
        QFETCH(QString, expected);
        json j = smallMatrix();
        j.merge_patch(json::parse(patch.replace('\'', '"').toStdString()));
        const std::string message = errorOf([&] { ExperimentMatrix::fromJson(j).cells(); });
        if (expected.isEmpty()) {
            // An empty matrix is allowed (nothing to run); only the expansion is empty.
            QVERIFY2(message.empty(), message.c_str());
            QVERIFY(ExperimentMatrix::fromJson(j).cells().empty());
            return;
        }
        QVERIFY2(!message.empty(), "no error");
        QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    }

    void fileErrorsNameTheFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.json").toStdString();
        std::ofstream(path) << "{\"target_sets\": [\"a\"], \"models\": [";
        std::string message = errorOf([&] { ExperimentMatrix::fromFile(path); });
        QVERIFY2(message.find(path) != std::string::npos && message.find("JSON") != std::string::npos,
                 message.c_str());
        std::ofstream(path, std::ios::trunc) << R"({"target_sets": ["a"], "models": [{"arch": "nope"}]})";
        message = errorOf([&] { ExperimentMatrix::fromFile(path); });
        QVERIFY2(message.find(path) != std::string::npos && message.find("nope") != std::string::npos,
                 message.c_str());
        QVERIFY_THROWS_EXCEPTION(InputError,
                                 ExperimentMatrix::fromFile(dir.filePath("missing.json").toStdString()));
    }

    void jsonRoundTrip()
    {
        json j = smallMatrix();
        j["overrides"]["*/r*/all_layers"] = {{"seed", 7}, {"augment", false}};
        j["overrides"]["b/eff3/head_only"] = {{"epochs", 9}};
        const ExperimentMatrix a = ExperimentMatrix::fromJson(j);
        const ExperimentMatrix b = ExperimentMatrix::fromJson(json::parse(a.toJson().dump()));
        QCOMPARE(b.toJson(), a.toJson());
        QCOMPARE(b.name, std::string("small"));
        QCOMPARE(b.models[0].extra.value("epochs", 0), 7);
        const auto ca = a.cells(), cb = b.cells();
        QCOMPARE(ca.size(), cb.size());
        for (std::size_t i = 0; i < ca.size(); ++i) {
            QCOMPARE(ca[i].key, cb[i].key);
            QCOMPARE(toJson(ca[i].config), toJson(cb[i].config));
        }
        const ExperimentMatrix d = ExperimentMatrix::defaultMatrix();
        QCOMPARE(ExperimentMatrix::fromJson(d.toJson()).toJson(), d.toJson());
    }

    void retargetsToAProjectsTargetSets()
    {
        const ExperimentMatrix d = ExperimentMatrix::defaultMatrix();
        const auto demo = d.forProject({"demo"}).cells();
        QCOMPARE(demo.size(), std::size_t(9));
        QCOMPARE(demo.front().key, std::string("demo/simple_cnn/all_layers"));
        QCOMPARE(d.forProject({"other", "gzd5"}).targetSets, std::vector<std::string>{"gzd5"});
        json j = smallMatrix();
        j["overrides"]["a/r18/head_only"] = {{"epochs", 1}};
        j["overrides"]["*/r18/all_layers"] = {{"epochs", 3}};
        const ExperimentMatrix m = ExperimentMatrix::fromJson(j).withTargetSets({"c"});
        QVERIFY(!m.overrides.contains("a/r18/head_only")); // went with its target set
        QVERIFY(m.overrides.contains("*/r18/all_layers"));
        QCOMPARE(cellOf(m.cells(), "c/r18/all_layers").config.epochs, 3);
    }
};

QTEST_GUILESS_MAIN(TestExperimentMatrix)
#include "test_experiment_matrix.moc"

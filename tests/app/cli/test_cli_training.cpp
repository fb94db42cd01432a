// The training verbs end to end on a tiny demo project: train (with --set, --cells, --json), runs list,
// report (Markdown, CSV, curves) and predict on the real Galaxy Zoo DECaLS cutouts, where a missing and a
// corrupt image are listed with their rows rather than dropped; runs export, whose file starts another
// matrix's encoder ("pretrained") and stays frozen under head-only training.
#include "TestData.h"

#include "catalog/CatalogReader.h"
#include "models/Safetensors.h"
#include "store/ProjectStore.h"
#include "training/RunLock.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"

#include <QJsonArray>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

using rmtest::runCli;

class TestCliTraining : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project, m_matrix;

    static QStringList lines(const QString& path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return {};
        return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    }

private Q_SLOTS:
    void initTestCase()
    {
        RM_REQUIRE_IMAGE_DECODING();
        QVERIFY2(!rmtest::cliPath().isEmpty(), "RINGMINER_CLI is not set (run through ctest)");
        const auto made = runCli({"demo", "make", m_dir.filePath("demo"), "--rings", "16", "--non-rings",
                                  "16", "--size", "40", "--json"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        m_project = QDir::current().absoluteFilePath(made.json().value("project").toString());
        m_matrix = m_dir.filePath("matrix.json");
        std::ofstream(m_matrix.toStdString()) << R"({"name": "cli", "target_sets": ["demo"],
          "models": [{"name": "cnn", "arch": "simple_cnn", "in_chans": 1, "modes": ["all_layers"]},
                     {"name": "tres", "arch": "tiny_resnet_basic", "in_chans": 1}],
          "defaults": {"image_size": 32, "epochs": 1, "batch_size": 8, "max_steps_per_epoch": 2,
                       "embedding_views": 1, "device": "cpu", "loader_threads": 1, "torch_threads": 1}})";
    }

    void trainRunsTheMatrix()
    {
        const auto r = runCli({"train", m_project, "--matrix", m_matrix, "--set", "epochs=2", "--cells",
                               "*/cnn/*,demo/tres/all_layers", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = r.json();
        QCOMPARE(j.value("ok").toBool(), true);
        QCOMPARE(j.value("experiment").toString(), QString("cli"));
        QCOMPARE(j.value("cells").toInt(), 2); // the selection, not the whole matrix
        QCOMPARE(j.value("done").toInt(), 2);
        QVERIFY(r.err.contains("epoch 2/2"));         // progress per epoch
        QVERIFY(r.err.contains("done, val ROC AUC")); // and per cell
        for (const auto& run : j.value("runs").toArray())
            QCOMPARE(run.toObject().value("epochs").toInt(), 2);
        // The kept epoch is marked with its criterion.
        QVERIFY2(r.err.contains("<- kept (lowest val loss)"), qPrintable(r.err));

        // The cell no command asked for is "not started", not "queued".
        const auto listed = runCli({"runs", "list", m_project, "--experiment", "cli", "--json"});
        int notStarted = 0;
        for (const auto& v : listed.json().value("runs").toArray()) {
            const QJsonObject run = v.toObject();
            if (run.value("cell").toString() == "demo/tres/head_only") {
                QCOMPARE(run.value("status").toString(), QString("not started"));
                ++notStarted;
            } else {
                QCOMPARE(run.value("status").toString(), QString("done"));
            }
        }
        QCOMPARE(notStarted, 1);
        // The report uses the same words.
        const auto report = runCli({"report", m_project, "--experiment", "cli", "--json"});
        QVERIFY2(report.exitCode == 0, qPrintable(report.err));
        QFile csv(report.json().value("csv").toString());
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QString table = QString::fromUtf8(csv.readAll());
        QVERIFY2(table.contains(",not started,") && !table.contains(",queued,"), qPrintable(table));

        // The rest of the matrix in a second call; a changed setting needs --replace, and the message says
        // what changed and what to type.
        auto changed = runCli({"train", m_project, "--matrix", m_matrix, "--set", "epochs=1", "--json"});
        QCOMPARE(changed.exitCode, 1);
        QVERIFY2(changed.err.contains("different matrix") &&
                     changed.err.contains("defaults changed: epochs") &&
                     changed.err.contains("--experiment NEW_NAME") && changed.err.contains("--replace"),
                 qPrintable(changed.err));
        const auto rest = runCli({"train", m_project, "--matrix", m_matrix, "--set", "epochs=2", "--json"});
        QVERIFY2(rest.exitCode == 0, qPrintable(rest.err));
        QCOMPARE(rest.json().value("done").toInt(), 3);
        QCOMPARE(rest.json().value("done_now").toInt(), 1);

        const auto bad = runCli({"train", m_project, "--set", "epochs"});
        QCOMPARE(bad.exitCode, 2);
        const auto typo = runCli({"train", m_project, "--matrix", m_matrix, "--set", "epohcs=2", "--json"});
        QCOMPARE(typo.exitCode, 1);
        QVERIFY2(typo.err.contains("epohcs"), qPrintable(typo.err));
    }

    // --estimate times one step per network and says what each cell and the queue will take, recording
    // nothing; --preset cpu is its own experiment.
    void estimateOnlyRecordsNothing()
    {
        const auto r =
            runCli({"train", m_project, "--matrix", m_matrix, "--experiment", "est", "--estimate", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject e = r.json().value("estimate").toObject();
        QCOMPARE(e.value("device").toString(), QStringLiteral("cpu"));
        const QJsonArray cells = e.value("cells").toArray();
        QCOMPARE(cells.size(), 3); // cnn all_layers, tres head_only and all_layers
        double total = 0;
        for (const auto& c : cells) {
            QVERIFY(c.toObject().value("seconds").toDouble() > 0);
            total += c.toObject().value("seconds").toDouble();
        }
        QVERIFY(std::abs(total - e.value("total_seconds").toDouble()) < 1e-9 * std::max(1.0, total));
        QCOMPARE(e.value("networks").toObject().size(), 2); // cnn and tres share nothing; tres's modes share
        QVERIFY2(r.err.contains("queue: ~"), qPrintable(r.err));
        QVERIFY(rm::listRuns(m_project.toStdString(), "est").empty());

        const auto p =
            runCli({"train", m_project, "--matrix", m_matrix, "--preset", "cpu", "--estimate", "--json"});
        QVERIFY2(p.exitCode == 0, qPrintable(p.err));
        QCOMPARE(p.json().value("experiment").toString(), QStringLiteral("cli-cpu"));
        QVERIFY(p.json()
                    .value("estimate")
                    .toObject()
                    .value("networks")
                    .toObject()
                    .keys()
                    .join(' ')
                    .contains("96x96"));
        const auto bad = runCli({"train", m_project, "--preset", "gpu"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("--preset must be cpu"), qPrintable(bad.err));
    }

    // A run's predictions go out as a VOTable with positions TOPCAT finds by their UCDs, and read back here.
    void predictionsExportAsVoTable()
    {
        const QString out = m_dir.filePath("cnn-predictions.vot");
        const auto r = runCli({"runs", "predictions", m_project, "--experiment", "cli", "--run",
                               "demo/cnn/all_layers", "--out", out, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const int rows = r.json().value("rows").toInt();
        QCOMPARE(rows, 32); // every galaxy of the demo target set: 16 rings, 16 not
        const rm::ImportedCatalog back = rm::importCatalog(out.toStdString(), {});
        QCOMPARE(int(back.table.rowCount()), rows);
        QCOMPARE(QString::fromStdString(back.position.raColumn), QStringLiteral("_RAJ2000"));
        QVERIFY2(back.positionNote.find("UCD") != std::string::npos, back.positionNote.c_str());
        const int p = back.table.columnIndex("p_ring");
        QVERIFY(p >= 0);
        for (std::size_t i = 0; i < back.table.rowCount(); ++i) {
            const auto v = back.table.columns[std::size_t(p)].number(i);
            QVERIFY(v && *v >= 0 && *v <= 1);
        }
        const auto missing =
            runCli({"runs", "predictions", m_project, "--run", "demo/nothing/all_layers", "--out", out});
        QVERIFY(missing.exitCode != 0);
    }

    void runsList()
    {
        const auto r = runCli({"runs", "list", m_project, "--experiment", "cli", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray runs = r.json().value("runs").toArray();
        QCOMPARE(runs.size(), 3);
        for (const auto& v : runs) {
            const QJsonObject run = v.toObject();
            QCOMPARE(run.value("state").toString(), QString("done"));
            QVERIFY(run.value("val_roc_auc").isDouble());
            QCOMPARE(run.value("weights_sha256").toString().size(), 64);
        }
        QVERIFY(r.err.contains("demo/tres/head_only")); // the human table
    }

    // A cell that another process is training is skipped, and the summary and exit status say so.
    void busyCellGetsItsOwnExitStatus()
    {
        const rm::ExperimentMatrix matrix = rm::ExperimentMatrix::fromFile(m_matrix.toStdString());
        rm::RunQueue queue(m_project.toStdString(), matrix, "busy"); // records the runs
        std::int64_t runId = 0;
        for (const auto& r : rm::listRuns(m_project.toStdString(), "busy"))
            if (r.cellKey == "demo/cnn/all_layers") runId = r.id;
        QVERIFY(runId > 0);
        const QString dir = m_project + ".files/runs/" + QString::number(runId);
        QVERIFY(QDir().mkpath(dir));
        rm::RunLock held((dir + "/lock").toStdString()); // "another process" for the CLI child
        QVERIFY(held.held());
        const auto r = runCli({"train", m_project, "--matrix", m_matrix, "--experiment", "busy", "--cells",
                               "demo/cnn/all_layers", "--json"});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.json().value("ok").toBool(), false);
        QCOMPARE(r.json().value("busy").toArray().size(), 1);
        QVERIFY2(r.err.contains("skipped because another process is training them now"), qPrintable(r.err));
        // While it holds the lock, the run is not "interrupted".
        const auto listed = runCli({"runs", "list", m_project, "--experiment", "busy", "--json"});
        for (const auto& v : listed.json().value("runs").toArray())
            QVERIFY(!v.toObject().value("status").toString().startsWith("interrupted"));
    }

    // A copied project whose run was marked running when copied: no process holds it, so it is interrupted.
    void staleRunningRunIsInterrupted()
    {
        const QString copy = m_dir.filePath("copy.rmproj");
        QVERIFY(QFile::copy(m_project, copy));
        {
            auto store = rm::ProjectStore::open(copy.toStdString());
            rm::RunStore runs(*store);
            const auto all = runs.listRuns("cli");
            QVERIFY(!all.empty());
            runs.markRunning(all.front().id, "cpu");
        }
        const auto r = runCli({"runs", "list", copy, "--experiment", "cli", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject first = r.json().value("runs").toArray().first().toObject();
        QCOMPARE(first.value("state").toString(), QString("running"));
        QCOMPARE(first.value("status").toString(), QString("interrupted - resumes on next start"));
        const auto text = runCli({"runs", "list", copy, "--experiment", "cli"});
        QVERIFY2(text.out.contains("interrupted - resumes on next start"), qPrintable(text.out));
    }

    void reportWritesTablesAndCurves()
    {
        const QString out = m_dir.filePath("report");
        // A trailing slash, as shells complete it, gives clean paths (no "report//curves").
        const auto r = runCli({"report", m_project, "--experiment", "cli", "--out", out + "/", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(!r.err.contains("//") && !r.out.contains("//"), qPrintable(r.out + r.err));
        QCOMPARE(r.json().value("runs").toInt(), 3);
        const QStringList md = lines(out + "/comparison.md");
        QVERIFY(md.size() >= 5);
        QVERIFY(md.join('\n').contains("test ROC AUC"));
        QVERIFY(md.join('\n').contains("**")); // best per column marked
        const QStringList csv = lines(out + "/comparison.csv");
        QCOMPARE(csv.size(), 4);
        QVERIFY(csv[0].startsWith("experiment,run,target_set,model,mode,state,cv_roc_auc,cv_roc_auc_ci_low,"
                                  "cv_roc_auc_ci_high,cv_pr_auc"));
        QVERIFY(csv[0].contains(",val_roc_auc,val_roc_auc_ci_low,"));
        QVERIFY(!md.join('\n').contains("CV ROC AUC")); // no cell was cross-validated: no CV columns
        QVERIFY(csv[0].contains("test_f1") && csv[0].contains("threshold") && csv[0].contains("seconds"));
        // Every column with a best value names at least one run.
        QVERIFY(csv.join('\n').contains("test_roc_auc"));
        const QStringList curves = QDir(out + "/curves").entryList({"*.csv"});
        QCOMPARE(curves.size(), 3 * 5); // loss + roc/pr x val/test per run
        const QStringList roc = lines(out + "/curves/" + curves.filter("_test_roc").first());
        QCOMPARE(roc.first(), QString("fpr,tpr,threshold"));
        QVERIFY(roc.size() >= 3);
    }

    void predictScoresARealCatalog()
    {
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        const QString folder = QFileInfo(QString::fromStdString(labels)).absolutePath();
        // The real catalog plus a galaxy with no image and one whose "JPEG" is an HTML error page.
        QDir(m_dir.path()).mkpath("images");
        const QString images = m_dir.filePath("images");
        QStringList rows = lines(QString::fromStdString(labels));
        QCOMPARE(rows.size(), 378);
        for (int i = 1; i < rows.size(); ++i) {
            const QString file = rows[i].section(',', 1, 1);
            QVERIFY(QFile::link(folder + "/" + file, images + "/" + file));
        }
        rows << "J000001.00+000001.0,J000001.00+000001.0.jpg,0,0.5,0.5,0.5";
        rows << "J000002.00+000002.0,J000002.00+000002.0.jpg,0,0.5,0.5,0.5";
        {
            QFile broken(images + "/J000002.00+000002.0.jpg");
            QVERIFY(broken.open(QIODevice::WriteOnly));
            broken.write("<html><body>503 Service Unavailable</body></html>");
        }
        const QString catalog = m_dir.filePath("catalog.csv");
        {
            QFile f(catalog);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write((rows.join('\n') + "\n").toUtf8());
        }
        const QString out = m_dir.filePath("scores.csv");
        const auto r = runCli({"predict", m_project, "--run", "best", "--catalog", catalog, "--images",
                               images, "--template", "{iauname}.jpg", "--out", out, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = r.json();
        QCOMPARE(j.value("rows").toInt(), 379);
        QCOMPARE(j.value("scored").toInt(), 377);
        QCOMPARE(j.value("errors").toInt(), 2);
        QCOMPARE(j.value("id_column").toString(), QString("iauname"));
        const QJsonArray errors = j.value("error_rows").toArray();
        // 0-based, like catalog show and the exports: the 378th and 379th data rows.
        QCOMPARE(errors[0].toObject().value("row").toInt(), 377);
        QCOMPARE(errors[0].toObject().value("id").toString(), QString("J000001.00+000001.0"));
        QCOMPARE(errors[1].toObject().value("row").toInt(), 378);
        QVERIFY(!errors[1].toObject().value("error").toString().isEmpty());

        const QStringList scores = lines(out);
        QCOMPARE(scores.size(), 378);
        QCOMPARE(scores[0], QString("iauname,p_ring"));
        for (int i = 1; i < scores.size(); ++i) {
            QCOMPARE(scores[i].section(',', 0, 0), rows[i].section(',', 0, 0)); // catalog order
            bool ok = false;
            const double p = scores[i].section(',', 1, 1).toDouble(&ok);
            QVERIFY(ok && p >= 0 && p <= 1);
        }
        QCOMPARE(lines(out + ".errors.csv").size(), 3);

        // A run id that does not exist is an error naming it.
        const auto missing = runCli(
            {"predict", m_project, "--run", "999", "--catalog", catalog, "--images", images, "--out", out});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("999"));
    }

    void exportedRunStartsAnotherEncoder()
    {
        const QString weights = m_dir.filePath("tres-demo.safetensors");
        const auto r = runCli({"runs", "export", m_project, "--experiment", "cli", "--run",
                               "demo/tres/all_layers", "--out", weights, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = r.json();
        QCOMPARE(j.value("arch").toString(), QString("tiny_resnet_basic"));
        QCOMPARE(j.value("in_chans").toInt(), 1);
        QCOMPARE(j.value("cell").toString(), QString("demo/tres/all_layers"));
        QCOMPARE(j.value("sha256").toString().size(), 64);
        {
            rm::SafetensorsFile file(weights.toStdString());
            QCOMPARE(QString::fromStdString(file.metadata().at("ringminer.source_cell")),
                     QString("demo/tres/all_layers"));
            QVERIFY(file.find("head.weight"));
        }

        // Never overwritten by accident; a run that is not there is named.
        const auto again = runCli({"runs", "export", m_project, "--run", "best", "--out", weights});
        QCOMPARE(again.exitCode, 2);
        QVERIFY2(again.err.contains("--force"), qPrintable(again.err));
        const auto missing =
            runCli({"runs", "export", m_project, "--run", "demo/nothing/all_layers", "--out", weights + "x"});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("demo/nothing/all_layers"), qPrintable(missing.err));
        QVERIFY(!QFile::exists(weights + "x"));

        // A matrix whose encoder starts from the exported file: head-only training leaves it as it was.
        const QString matrix = m_dir.filePath("pretrained.json");
        const nlohmann::json pre = {{"name", "pre"},
                                    {"target_sets", {"demo"}},
                                    {"modes", {"head_only"}},
                                    {"models",
                                     {{{"name", "tres_pre"},
                                       {"arch", "tiny_resnet_basic"},
                                       {"in_chans", 1},
                                       {"pretrained", weights.toStdString()}}}},
                                    {"defaults",
                                     {{"image_size", 32},
                                      {"epochs", 2},
                                      {"batch_size", 8},
                                      {"max_steps_per_epoch", 2},
                                      {"embedding_views", 1},
                                      {"device", "cpu"},
                                      {"loader_threads", 1},
                                      {"torch_threads", 1}}}};
        std::ofstream(matrix.toStdString()) << pre.dump(2);
        const auto trained = runCli({"train", m_project, "--matrix", matrix, "--json"});
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
        QVERIFY2(trained.err.contains("pretrained encoder"), qPrintable(trained.err));
        const QString after = m_dir.filePath("tres-pre.safetensors");
        const auto exported =
            runCli({"runs", "export", m_project, "--experiment", "pre", "--run", "best", "--out", after});
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.err));
        rm::SafetensorsFile a(weights.toStdString()), b(after.toStdString());
        int compared = 0;
        for (const rm::TensorInfo& t : a.tensors()) {
            if (QString::fromStdString(t.name).startsWith("head.")) continue;
            const rm::TensorInfo& u = b.at(t.name);
            QCOMPARE((u.end - u.begin), (t.end - t.begin));
            QVERIFY2(std::memcmp(a.data(t), b.data(u), (t.end - t.begin)) == 0, t.name.c_str());
            ++compared;
        }
        QVERIFY(compared > 10);
        QVERIFY(std::memcmp(a.data(a.at("head.weight")), b.data(b.at("head.weight")),
                            (a.at("head.weight").end - a.at("head.weight").begin)) !=
                0); // the head did train
    }
};

QTEST_GUILESS_MAIN(TestCliTraining)
#include "test_cli_training.moc"

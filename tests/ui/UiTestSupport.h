#pragma once
// What the UI tests share: settings kept out of the user's home, and the projects they browse, built from the
// real data through core (the Galaxy Zoo DECaLS ring cutouts with their image folder, the Buta 2017 rings) or
// by hand (a million-row catalog).
#include "TestData.h"

#include "catalog/CatalogReader.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"

#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

#include <nlohmann/json.hpp>

namespace uitest {

// Call first in initTestCase: the tests read and write settings (recent projects, layout) in a scratch
// folder.
inline void isolateSettings(const QString& scratch)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("RingMinerTests"));
    QCoreApplication::setApplicationName(QStringLiteral("RingMinerTests"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, scratch);
    QSettings().clear();
}

inline QString decalsImageDir()
{
    return QDir(rmtest::sharedDataDir()).filePath(QStringLiteral("images/gzdecals_ring470"));
}

// A project with the 377 real Galaxy Zoo DECaLS ring-sample galaxies ("gzd", labelled by its ring column,
// images from the real folder by the file column) and, with buta, the 3962 Buta 2017 rings. Throws rm::Error
// when the real data is missing (callers check with RM_SHARED_DATA first).
inline void buildDecalsProject(const std::string& path, bool withButa, bool withTargetSet = false)
{
    auto store = rm::ProjectStore::create(path);
    const std::string labels = rmtest::sharedData("images/gzdecals_ring470/labels.csv");
    const std::int64_t gzd =
        store->addCatalog("gzd", rm::importCatalog(labels), rm::CatalogRole::Labelled, "ring");
    const nlohmann::json spec = {
        {"kind", "folder"}, {"dir", decalsImageDir().toStdString()}, {"template", "{file}"}};
    store->db()
        .prepare("INSERT INTO image_sources(catalog_id, spec_json) VALUES(?, ?)")
        .bind(1, gzd)
        .bind(2, spec.dump())
        .run();
    if (withButa)
        store->addCatalog("buta", rm::importCatalog(rmtest::sharedData("catalogs/buta2017_table2.csv")),
                          rm::CatalogRole::Rings);
    if (withTargetSet) {
        rm::TargetSetSpec t;
        t.name = "gzd_balanced";
        t.labelled = "gzd";
        rm::buildTargetSet(*store, t);
    }
}

// Rows of the million-row catalog are made by formula, so tests know every answer without reading it back.
inline double millionZ(std::size_t i)
{
    return double((i * 7919) % 100000) / 100000.0 * 0.3;
} // 0 .. 0.3
inline double millionMag(std::size_t i)
{
    return 14.0 + double((i * 104729) % 60000) / 10000.0;
}

inline rm::ImportedCatalog millionRowCatalog(std::size_t n)
{
    rm::ImportedCatalog c;
    c.path = "/generated/million.csv";
    c.format = rm::CatalogFormat::Csv;
    // All columns first: adding one may move the others, so references are taken afterwards.
    c.table.addColumn("name", rm::ColumnType::Text);
    c.table.addColumn("z", rm::ColumnType::Real);
    c.table.addColumn("rmag", rm::ColumnType::Real);
    c.table.addColumn("flag", rm::ColumnType::Integer);
    c.table.addColumn("note", rm::ColumnType::Text);
    rm::Column& name = c.table.columns[0];
    rm::Column& z = c.table.columns[1];
    rm::Column& mag = c.table.columns[2];
    rm::Column& flag = c.table.columns[3];
    rm::Column& note = c.table.columns[4];
    for (std::size_t i = 0; i < n; ++i) {
        name.appendText("G" + std::to_string(1000000 + i));
        z.appendReal(millionZ(i));
        mag.appendReal(millionMag(i));
        flag.appendInteger(std::int64_t(i % 3));
        if (i % 10 == 0)
            note.appendText("(R1)");
        else
            note.appendNull();
        c.ra.push_back(double(i % 36000) / 100.0);
        c.dec.push_back(-60.0 + double(i / 36000) * 0.004);
        c.sourceRow.push_back(i + 1);
    }
    c.position = {rm::PositionKind::Degrees, "ra", "dec"};
    return c;
}

} // namespace uitest

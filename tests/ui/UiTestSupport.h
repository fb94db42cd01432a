#pragma once
// What the UI tests share: settings kept out of the user's home, and the projects they browse, built from the
// real data through core (the Galaxy Zoo DECaLS ring cutouts with their image folder, the Buta 2017 rings) or
// by hand (a million-row catalog).
#include "GeneratedCatalogs.h"
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

using rmtest::millionMag;
using rmtest::millionRowCatalog;
using rmtest::millionZ;

} // namespace uitest

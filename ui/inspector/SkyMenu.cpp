#include "inspector/SkyMenu.h"

#include "project/ProjectSession.h"
#include "sky/SkyLinks.h"
#include "util/Error.h"

#include <QAction>
#include <QClipboard>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QMenu>
#include <QUrl>

namespace rm::ui {

namespace {

const char* objectNameOf(rm::SkyViewer v)
{
    switch (v) {
    case rm::SkyViewer::LegacySurveys:
        return "openLegacySurveys";
    case rm::SkyViewer::SdssNavigate:
        return "openSdssNavigate";
    case rm::SkyViewer::EsaSky:
        return "openEsaSky";
    case rm::SkyViewer::AladinLite:
        return "openAladinLite";
    }
    return "";
}

void addCopy(QMenu* menu, const QString& text, const QString& shown, const char* name)
{
    QAction* a = menu->addAction(shown.arg(text));
    a->setObjectName(QLatin1String(name));
    a->setData(text);
    QObject::connect(a, &QAction::triggered, menu, [text] { QGuiApplication::clipboard()->setText(text); });
}

} // namespace

void addSkyActions(QMenu* menu, double raDeg, double decDeg)
{
    for (const rm::SkyViewer v : rm::allSkyViewers()) {
        const QUrl url(QString::fromStdString(rm::skyViewerUrl(v, raDeg, decDeg)), QUrl::StrictMode);
        QAction* a = menu->addAction(QObject::tr("Open in %1").arg(QString::fromUtf8(rm::skyViewerName(v))));
        a->setObjectName(QLatin1String(objectNameOf(v)));
        a->setData(url);
        a->setToolTip(url.toString());
        QObject::connect(a, &QAction::triggered, menu, [url] { QDesktopServices::openUrl(url); });
    }
    menu->addSeparator();
    addCopy(menu, QString::fromStdString(rm::formatSexagesimalPosition(raDeg, decDeg)),
            QObject::tr("Copy position  %1"), kCopySexagesimalAction);
    addCopy(menu, QString::fromStdString(rm::formatDecimalPosition(raDeg, decDeg)),
            QObject::tr("Copy position  %1"), kCopyDecimalAction);
    addCopy(menu, QString::fromStdString(rm::iauName(raDeg, decDeg)), QObject::tr("Copy IAU name  %1"),
            kCopyIauNameAction);
}

QMenu* galaxySkyMenu(ProjectSession* session, const GalaxyId& id, QWidget* parent, QString* error)
{
    if (!session) return nullptr;
    GalaxyRecord record;
    QString caption;
    try {
        record = session->record(id);
        caption = session->caption(id);
    } catch (const rm::Error& e) {
        if (error) *error = QString::fromStdString(e.what());
        return nullptr;
    }
    auto* menu = new QMenu(parent);
    QAction* title = menu->addAction(caption);
    title->setEnabled(false);
    menu->addSeparator();
    addSkyActions(menu, record.ra, record.dec);
    return menu;
}

} // namespace rm::ui

#pragma once
// The built-in demo survey: N synthetic galaxies with known truth in a small patch of sky, their JPEG
// cutouts, a catalog of the ring galaxies, a "parent" catalog of non-rings (including ring-like confusers)
// and a combined labelled catalog. It needs no network and no shared data, and is the test fixture whose
// truth is known. Deterministic: the same options give byte-identical catalogs and identical pixels, whatever
// the thread count.
#include "synthetic/SyntheticGalaxy.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rm {

struct DemoSurveyOptions
{
    std::string outDir;
    std::size_t rings = 200;
    std::size_t nonRings = 200;
    int imageSize = 256; // px, square
    std::uint64_t seed = 42;
    double raCentre = 150,
           decCentre = 2; // deg: the centre of the patch (in the COSMOS field, away from the plane)
    double patchDeg = 2;  // side of the square patch, deg
    unsigned threads = 0; // 0 = all hardware threads
    int jpegQuality = 90;
    // (images written, total); return false to cancel (makeDemoSurvey then throws rm::Error). Called from the
    // rendering threads, one call at a time.
    std::function<bool(std::size_t, std::size_t)> progress;
};

// One galaxy of the survey with its truth.
struct DemoGalaxy
{
    std::string id;         // DEMO-00001
    std::string iauName;    // JHHMMSS.ss+DDMMSS.s, as Galaxy Zoo names its cutouts
    std::string file;       // the cutout's file name inside the image folder
    double ra = 0, dec = 0; // deg J2000
    double mag = 0;         // apparent r magnitude
    double redshift = 0;
    double sizeArcsec = 0; // visible diameter
    double pixscale = 0;   // arcsec per pixel of the cutout
    double paDeg = 0;      // position angle of the major axis, east of north
    double axisRatio = 1;  // apparent minor/major
    bool ring = false;
    GalaxyParams params; // everything needed to render it again
};

struct DemoSurveyResult
{
    std::string ringsCatalog, parentCatalog, labelledCatalog; // paths of demo_rings.csv etc.
    std::string imageDir;
    std::size_t images = 0;
    double seconds = 0; // wall time spent rendering and writing images
    std::vector<DemoGalaxy> galaxies;
};

// Draws the whole survey (truth, positions, parameters) without rendering anything. Throws rm::Error on bad
// options.
std::vector<DemoGalaxy> planDemoSurvey(const DemoSurveyOptions& options);

// The catalog text:
// id,ra,dec,ring_type,mag,redshift,size_arcsec,file,iauname,morphology,bar,pa_deg,axis_ratio, pixscale, plus
// a trailing `ring` (0/1) column when withRingColumn. Formatting does not depend on the locale.
std::string demoCatalogCsv(const std::vector<DemoGalaxy>& galaxies, bool withRingColumn);

// Plans the survey, writes outDir/demo_rings.csv, demo_parent.csv, demo_labelled.csv and outDir/images/*.jpg.
// Needs OpenCV to encode the JPEGs: without it throws rm::Error saying so (before writing anything).
DemoSurveyResult makeDemoSurvey(const DemoSurveyOptions& options);

} // namespace rm

#pragma once
// Where a target set's labels and the project's other catalogs disagree: a galaxy labelled not ring that a
// rings catalog lists (21 of the 75 Buta 2017 rings among the real DECaLS cutouts are labelled ring=0), or a
// ring that a labelled catalog calls not ring. These are the galaxies worth a human look before training:
// the "conflicts" review queue in the GUI and `ringminer-cli targets conflicts`. Hand labels given to them
// override the catalog labels when the target set is built again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rm {

class ProjectStore;

struct TargetLabelConflict
{
    std::size_t targetIdx = 0;
    std::int64_t catalogId = 0, row = 0; // the target's galaxy
    double ra = 0, dec = 0;
    int label = 0; // the target set's label
    std::string otherCatalog;
    std::int64_t otherRow = 0;
    int otherLabel = 0; // what the other catalog says
    double separationArcsec = 0;
    std::string description; // "labelled not ring in gzd5, but buta lists it as a ring (1.2")"
};

// Every (target, other catalog) pair that disagrees, within radiusArcsec (the nearest row of the other
// catalog with a ring/not-ring opinion), in target order. Catalogs of role rings or labelled count; the
// target's own catalog does not. Throws rm::Error for an unknown target set or a radius <= 0.
std::vector<TargetLabelConflict> targetLabelConflicts(ProjectStore& store, const std::string& targetSet,
                                                      double radiusArcsec = 5.0);

} // namespace rm

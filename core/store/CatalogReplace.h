#pragma once
// Replacing a catalog (a mined candidates catalog imported again under its name) in one transaction: the old
// catalog's rows and table go, the new one's arrive with its image source, or, if anything fails or the
// process is killed, the old one stays exactly as it was. (Removing, then adding, in two transactions lost
// the old catalog to a kill between them.) Its own header so the files that include ProjectStore.h (most of
// core) need not change for it.
#include "store/ProjectStore.h"

#include <cstdint>
#include <optional>
#include <string>

namespace rm {

// Adds `catalog` as `name`, replacing a catalog of that name and the same role (another role, or one a target
// set uses, is refused: nothing changes). `imageSourceSpec`, when given, is stored for the new catalog in the
// same transaction. Returns the new catalog's id.
std::int64_t replaceCatalog(ProjectStore& store, const std::string& name, const ImportedCatalog& catalog,
                            CatalogRole role, const std::optional<std::string>& imageSourceSpec);

} // namespace rm

#pragma once
// Files that appear whole or not at all. A cache entry is written to "<name>.part.<pid>.<n>", flushed to
// disk, renamed over <name> (atomic on POSIX file systems) and the folder flushed, so a reader, or a process
// killed at any moment, sees either the old state or the complete new file, never a truncated one. The
// writer's pid in the temporary name lets a later run tell a dead writer's leftovers from a live writer's
// work in progress.
#include <cstddef>
#include <cstdint>
#include <string>

namespace rm {

// Creates the parent folders as needed. Throws rm::Error (with the OS's reason) when anything fails; the
// temporary file is removed then.
void writeFileAtomically(const std::string& path, const std::uint8_t* data, std::size_t size);

// Deletes "*.part.<pid>.<n>" files under root (recursively) whose process is no longer running. Returns the
// number deleted; a missing root is not an error.
std::size_t removeStalePartFiles(const std::string& root);

// True for a name written by writeFileAtomically while in progress.
bool isPartFileName(const std::string& fileName);

} // namespace rm

#pragma once
// The new catalog a mining run publishes: every input row (scored, or with the reason it could not be), its
// id and position, p_ring (and p_ring_std with test-time augmentation), is_ring at the chosen threshold, and
// known_ring with the matching catalog's name and id when a known ring lies within the radius. Written as CSV
// (with a provenance JSON sidecar) and as a FITS binary table (provenance in header keywords), each to a temp
// file renamed into place, so a file under its final name is always whole.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rm {

struct CandidateProvenance
{
    std::int64_t runId = 0;
    std::string cell, arch, fineTune, weightsSha256;
    double threshold = 0.5;
    std::string thresholdHow;               // "precision>=0.9 on validation" or "given"
    double targetPrecision = NAN;           // NaN when the threshold was given
    double valPrecision = 0, valRecall = 0; // at the threshold, on the run's validation predictions
    std::string inputPath, inputSha256;
    std::size_t inputRows = 0;
    bool tta = false;
    double radiusArcsec = 5;
    std::vector<std::string> knownCatalogs; // the rings-role catalogs matched against
    std::string date;                       // ISO 8601 UTC, fixed when the mining run started
    std::string version;                    // RingMiner version
};

struct CandidateTable
{
    std::string idName; // the input's id column name
    bool hasPositions = false;
    bool tta = false;
    // 1-based data row of the input file (as messages name rows); the published `row` column is this - 1, the
    // 0-based row index that `catalog show`, exports and the project's catalogs use.
    std::vector<std::size_t> sourceRow;
    std::vector<std::string> id;
    std::vector<double> ra, dec;        // NaN when unknown
    std::vector<float> pRing, pRingStd; // NaN when not scored
    std::vector<std::uint8_t> isRing, knownRing;
    std::vector<std::string> knownCatalog, knownId;
    std::vector<double> knownSeparation; // arcsec, NaN when none
    std::vector<std::string> error;      // "" when scored
    // The input's columns an image file-name template needs besides the id and position ({file}...), as
    // read, so that the published catalog finds each candidate's image as the mining did (written last).
    std::vector<std::string> imageColumnNames;
    std::vector<std::vector<std::string>> imageColumns; // [column][row]

    std::size_t size() const { return id.size(); }
    void resize(std::size_t n);
    void clear() { resize(0); }
};

// A catalog of known rings to flag candidates against.
struct KnownRings
{
    std::string name;
    std::vector<double> ra, dec;
    std::vector<std::string> ids;
};

// Fills knownRing/knownCatalog/knownId/knownSeparation: the nearest known ring within radiusArcsec over all
// catalogs (ties go to the earlier catalog). Rows without a position are never known. The KD-trees of the
// known catalogs are built once, so a catalog published a chunk of rows at a time is flagged chunk by chunk.
class KnownRingIndex
{
public:
    KnownRingIndex(const std::vector<KnownRings>& known, double radiusArcsec);
    ~KnownRingIndex();
    KnownRingIndex(const KnownRingIndex&) = delete;
    KnownRingIndex& operator=(const KnownRingIndex&) = delete;
    void flag(CandidateTable& table) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};
void flagKnownRings(CandidateTable& table, const std::vector<KnownRings>& known, double radiusArcsec);

// The widths of the FITS table's string columns (at least 1), which its header states before any row is
// written: a catalog written a chunk at a time is measured a chunk at a time first.
struct CandidateWidths
{
    std::size_t id = 1, knownCatalog = 1, knownId = 1, error = 1;
    std::vector<std::size_t> imageColumns;
    void include(const CandidateTable& chunk);
};

// Columns: row, <id>, [ra, dec,] p_ring, [p_ring_std,] is_ring, known_ring, known_catalog, known_id,
// known_sep_arcsec, error[, the image columns]. Positions as read (shortest round trip), other numbers in
// fixed formats, so equal inputs give byte-identical files.
void writeCandidatesCsv(const std::string& path, const CandidateTable& table);
// The same, a chunk of rows at a time: the header from the layout of `layout` (id name, positions, TTA; its
// rows are not written), then write() for each chunk in order, then commit() renames the temp file into
// place. Destroyed without commit(), the temp file is removed and nothing appears under `path`.
class CandidateCsvWriter
{
public:
    CandidateCsvWriter(const std::string& path, const CandidateTable& layout);
    ~CandidateCsvWriter();
    void write(const CandidateTable& chunk);
    void commit();

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};
// The provenance as JSON (the CSV's sidecar, also handy for summaries).
std::string provenanceJson(const CandidateProvenance& p);
void writeTextFile(const std::string& path, const std::string& text); // via a temp file and rename
// FITS binary table CANDIDATES with the same columns (ID, RA, DEC, P_RING, P_RING_STD, IS_RING, KNOWN_RING,
// KNOWN_CAT, KNOWN_ID, KNOWN_SEP, ERROR, ROW, then the image columns by their input names) and the provenance
// as RM_* header keywords.
void writeCandidatesFits(const std::string& path, const CandidateTable& table, const CandidateProvenance& p);
// The same, a chunk of rows at a time (fits_write_col at each chunk's row offset), with the string widths of
// the whole catalog measured beforehand; commit() closes and renames into place.
class CandidateFitsWriter
{
public:
    CandidateFitsWriter(const std::string& path, const CandidateTable& layout, const CandidateWidths& widths,
                        const CandidateProvenance& p);
    ~CandidateFitsWriter();
    void write(const CandidateTable& chunk);
    void commit();

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace rm

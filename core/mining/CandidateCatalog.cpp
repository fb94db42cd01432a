#include "mining/CandidateCatalog.h"

#include "sky/CrossMatcher.h"
#include "util/CsvField.h"
#include "util/Error.h"

#include <fitsio.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace rm {

void CandidateTable::resize(std::size_t n)
{
    sourceRow.resize(n);
    id.resize(n);
    ra.resize(n, NAN);
    dec.resize(n, NAN);
    pRing.resize(n, NAN);
    pRingStd.resize(n, NAN);
    isRing.resize(n, 0);
    knownRing.resize(n, 0);
    knownCatalog.resize(n);
    knownId.resize(n);
    knownSeparation.resize(n, NAN);
    error.resize(n);
    imageColumns.resize(imageColumnNames.size());
    for (auto& c : imageColumns)
        c.resize(n);
}

struct KnownRingIndex::Impl
{
    struct Catalog
    {
        const KnownRings* rings;
        std::unique_ptr<SkyIndex> index;
    };
    std::vector<Catalog> catalogs;
    double radiusArcsec = 5;
};

KnownRingIndex::KnownRingIndex(const std::vector<KnownRings>& known, double radiusArcsec)
    : m(std::make_unique<Impl>())
{
    m->radiusArcsec = radiusArcsec;
    for (const KnownRings& k : known)
        if (!k.ra.empty()) m->catalogs.push_back({&k, std::make_unique<SkyIndex>(k.ra, k.dec)});
}

KnownRingIndex::~KnownRingIndex() = default;

void KnownRingIndex::flag(CandidateTable& table) const
{
    for (const Impl::Catalog& c : m->catalogs) {
        const KnownRings& k = *c.rings;
        for (std::size_t i = 0; i < table.size(); ++i) {
            if (!std::isfinite(table.ra[i]) || !std::isfinite(table.dec[i])) continue;
            const auto [row, sep] = c.index->nearest(table.ra[i], table.dec[i]);
            if (row < 0 || !(sep <= m->radiusArcsec)) continue;
            if (table.knownRing[i] && !(sep < table.knownSeparation[i])) continue;
            table.knownRing[i] = 1;
            table.knownCatalog[i] = k.name;
            table.knownId[i] = static_cast<std::size_t>(row) < k.ids.size()
                                   ? k.ids[static_cast<std::size_t>(row)]
                                   : std::to_string(row);
            table.knownSeparation[i] = sep;
        }
    }
}

void flagKnownRings(CandidateTable& table, const std::vector<KnownRings>& known, double radiusArcsec)
{
    KnownRingIndex(known, radiusArcsec).flag(table);
}

namespace {

std::string fixed(double v, const char* format)
{
    if (!std::isfinite(v)) return {};
    char buf[48];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

// The shortest text that reads back as the same double ("" for NaN).
std::string exact(double v)
{
    if (!std::isfinite(v)) return {};
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// The id column keeps the input's name unless that would clash with a column of ours.
std::string idHeader(const CandidateTable& t)
{
    for (const char* ours : {"row", "ra", "dec", "p_ring", "p_ring_std", "is_ring", "known_ring",
                             "known_catalog", "known_id", "known_sep_arcsec", "error"})
        if (t.idName == ours) return "id";
    return t.idName.empty() ? "id" : t.idName;
}

std::string tempName(const std::string& path)
{
    return path + ".tmp." + std::to_string(::getpid());
}

void syncAndRename(const std::string& tmp, const std::string& path)
{
    if (FILE* f = std::fopen(tmp.c_str(), "rb")) {
        ::fsync(fileno(f));
        std::fclose(f);
    }
    fs::rename(tmp, path);
}

} // namespace

void writeTextFile(const std::string& path, const std::string& text)
{
    const std::string tmp = tempName(path);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) throw Error("cannot write '" + tmp + "'");
    }
    syncAndRename(tmp, path);
}

struct CandidateCsvWriter::Impl
{
    std::string path, tmp;
    std::ofstream out;
    bool hasPositions = false, tta = false;
};

CandidateCsvWriter::CandidateCsvWriter(const std::string& path, const CandidateTable& layout)
    : m(std::make_unique<Impl>())
{
    m->path = path;
    m->tmp = tempName(path);
    m->hasPositions = layout.hasPositions;
    m->tta = layout.tta;
    m->out.open(m->tmp, std::ios::binary | std::ios::trunc);
    if (!m->out) throw Error("cannot write '" + m->tmp + "'");
    m->out << "row," << csvField(idHeader(layout));
    if (m->hasPositions) m->out << ",ra,dec";
    m->out << ",p_ring";
    if (m->tta) m->out << ",p_ring_std";
    m->out << ",is_ring,known_ring,known_catalog,known_id,known_sep_arcsec,error";
    for (const std::string& name : layout.imageColumnNames)
        m->out << ',' << csvField(name);
    m->out << '\n';
}

CandidateCsvWriter::~CandidateCsvWriter()
{
    if (m->out.is_open()) {
        m->out.close();
        std::error_code ec;
        fs::remove(m->tmp, ec);
    }
}

void CandidateCsvWriter::write(const CandidateTable& t)
{
    std::ofstream& out = m->out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        out << t.sourceRow[i] - 1 << ',' << csvField(t.id[i]); // 0-based in the published table
        // Positions exactly as read (shortest round trip), not rounded: the candidates catalog finds its
        // cutouts by position, and a service cache keys them by the position rounded to six decimals,
        // which a second rounding (to seven, then six) missed for 1 row in 10.
        if (m->hasPositions) out << ',' << exact(t.ra[i]) << ',' << exact(t.dec[i]);
        out << ',' << fixed(t.pRing[i], "%.6f");
        if (m->tta) out << ',' << fixed(t.pRingStd[i], "%.6f");
        out << ',' << int(t.isRing[i]) << ',' << int(t.knownRing[i]) << ',' << csvField(t.knownCatalog[i])
            << ',' << csvField(t.knownId[i]) << ',' << fixed(t.knownSeparation[i], "%.3f") << ','
            << csvField(t.error[i]);
        for (const auto& column : t.imageColumns)
            out << ',' << csvField(column[i]);
        out << '\n';
    }
    if (!out) throw Error("error writing '" + m->tmp + "'");
}

void CandidateCsvWriter::commit()
{
    m->out.flush();
    if (!m->out) throw Error("error writing '" + m->tmp + "'");
    m->out.close();
    syncAndRename(m->tmp, m->path);
}

void writeCandidatesCsv(const std::string& path, const CandidateTable& t)
{
    CandidateCsvWriter w(path, t);
    w.write(t);
    w.commit();
}

std::string provenanceJson(const CandidateProvenance& p)
{
    nlohmann::json j = {
        {"run", p.runId},
        {"cell", p.cell},
        {"arch", p.arch},
        {"fine_tune", p.fineTune},
        {"weights_sha256", p.weightsSha256},
        {"threshold", p.threshold},
        {"threshold_how", p.thresholdHow},
        {"target_precision",
         std::isfinite(p.targetPrecision) ? nlohmann::json(p.targetPrecision) : nlohmann::json()},
        {"val_precision", std::isfinite(p.valPrecision) ? nlohmann::json(p.valPrecision) : nlohmann::json()},
        {"val_recall", std::isfinite(p.valRecall) ? nlohmann::json(p.valRecall) : nlohmann::json()},
        {"input", {{"path", p.inputPath}, {"sha256", p.inputSha256}, {"rows", p.inputRows}}},
        {"tta", p.tta},
        {"radius_arcsec", p.radiusArcsec},
        {"known_ring_catalogs", p.knownCatalogs},
        {"date", p.date},
        {"ringminer_version", p.version}};
    return j.dump(2) + "\n";
}

namespace {

class FitsWriter
{
public:
    explicit FitsWriter(const std::string& path) : m_path(path)
    {
        const std::string bang = "!" + path;
        fits_create_file(&m_f, bang.c_str(), &m_status);
        check("create");
    }
    ~FitsWriter()
    {
        int status = 0;
        if (m_f) fits_close_file(m_f, &status);
    }
    fitsfile* f() { return m_f; }
    int* status() { return &m_status; }
    void check(const char* what)
    {
        if (!m_status) return;
        char text[FLEN_STATUS];
        fits_get_errstatus(m_status, text);
        std::string msg = std::string("FITS ") + what + ": " + text;
        char detail[FLEN_ERRMSG];
        while (fits_read_errmsg(detail))
            msg += std::string("; ") + detail;
        throw InputError(m_path, 0, {}, msg);
    }
    void close()
    {
        fits_close_file(m_f, &m_status);
        m_f = nullptr;
        check("close");
    }

private:
    std::string m_path;
    fitsfile* m_f = nullptr;
    int m_status = 0;
};

std::size_t widest(std::size_t w, const std::vector<std::string>& v)
{
    for (const std::string& s : v)
        w = std::max(w, s.size());
    return w;
}

} // namespace

void CandidateWidths::include(const CandidateTable& t)
{
    id = widest(id, t.id);
    knownCatalog = widest(knownCatalog, t.knownCatalog);
    knownId = widest(knownId, t.knownId);
    error = widest(error, t.error);
    imageColumns.resize(t.imageColumns.size(), 1);
    for (std::size_t c = 0; c < t.imageColumns.size(); ++c)
        imageColumns[c] = widest(imageColumns[c], t.imageColumns[c]);
}

struct CandidateFitsWriter::Impl
{
    explicit Impl(const std::string& tmp) : w(tmp) {}
    FitsWriter w;
    std::string path, tmp;
    bool hasPositions = false, tta = false, committed = false;
    std::size_t rows = 0; // written so far
};

CandidateFitsWriter::CandidateFitsWriter(const std::string& path, const CandidateTable& layout,
                                         const CandidateWidths& widths, const CandidateProvenance& p)
{
    const std::string tmp = tempName(path);
    m = std::make_unique<Impl>(tmp);
    m->path = path;
    m->tmp = tmp;
    m->hasPositions = layout.hasPositions;
    m->tta = layout.tta;
    std::vector<std::string> names = {"ROW", "ID"}, forms = {"K", std::to_string(widths.id) + "A"},
                             units = {"", ""};
    if (layout.hasPositions) {
        names.insert(names.end(), {"RA", "DEC"});
        forms.insert(forms.end(), {"D", "D"});
        units.insert(units.end(), {"deg", "deg"});
    }
    names.push_back("P_RING");
    forms.push_back("E");
    units.push_back("");
    if (layout.tta) {
        names.push_back("P_RING_STD");
        forms.push_back("E");
        units.push_back("");
    }
    names.insert(names.end(), {"IS_RING", "KNOWN_RING", "KNOWN_CAT", "KNOWN_ID", "KNOWN_SEP", "ERROR"});
    forms.insert(forms.end(),
                 {"L", "L", std::to_string(widths.knownCatalog) + "A", std::to_string(widths.knownId) + "A",
                  "D", std::to_string(widths.error) + "A"});
    units.insert(units.end(), {"", "", "", "", "arcsec", ""});
    for (std::size_t c = 0; c < layout.imageColumnNames.size(); ++c) {
        names.push_back(layout.imageColumnNames[c]);
        forms.push_back(std::to_string(c < widths.imageColumns.size() ? widths.imageColumns[c] : 1) + "A");
        units.push_back("");
    }
    std::vector<char*> n, f, u;
    for (std::size_t i = 0; i < names.size(); ++i) {
        n.push_back(names[i].data());
        f.push_back(forms[i].data());
        u.push_back(units[i].data());
    }
    fits_create_tbl(m->w.f(), BINARY_TBL, 0, static_cast<int>(names.size()), n.data(), f.data(), u.data(),
                    "CANDIDATES", m->w.status());
    m->w.check("create table");

    auto key = [&](const char* name, const std::string& value, const char* comment) {
        fits_write_key_longstr(m->w.f(), const_cast<char*>(name), const_cast<char*>(value.c_str()),
                               const_cast<char*>(comment), m->w.status());
    };
    auto keyD = [&](const char* name, double value, const char* comment) {
        if (std::isfinite(value))
            fits_write_key_dbl(m->w.f(), const_cast<char*>(name), value, -15, const_cast<char*>(comment),
                               m->w.status());
    };
    long long run = p.runId;
    long long rows = static_cast<long long>(p.inputRows);
    int tta = p.tta ? 1 : 0;
    fits_write_key_longwarn(m->w.f(), m->w.status());
    key("ORIGIN", "RingMiner " + p.version, "software that wrote this file");
    key("DATE", p.date, "when the mining run started (UTC)");
    fits_write_key(m->w.f(), TLONGLONG, "RM_RUN", &run, "training run id in the project", m->w.status());
    key("RM_CELL", p.cell, "experiment cell of the run");
    key("RM_ARCH", p.arch, "model architecture");
    key("RM_MODE", p.fineTune, "fine-tune mode");
    key("RM_WSHA", p.weightsSha256, "SHA-256 of the weights file");
    keyD("RM_THR", p.threshold, "is_ring means p_ring >= this");
    key("RM_THRHW", p.thresholdHow, "how the threshold was chosen");
    keyD("RM_TPREC", p.targetPrecision, "target precision on validation");
    keyD("RM_VPREC", p.valPrecision, "precision at RM_THR on validation");
    keyD("RM_VREC", p.valRecall, "recall at RM_THR on validation");
    key("RM_INPUT", p.inputPath, "input catalog");
    key("RM_INSHA", p.inputSha256, "SHA-256 of the input catalog");
    fits_write_key(m->w.f(), TLONGLONG, "RM_INROW", &rows, "rows of the input catalog", m->w.status());
    fits_write_key(m->w.f(), TLOGICAL, "RM_TTA", &tta, "mean over 8 rotations/flips", m->w.status());
    keyD("RM_RADIU", p.radiusArcsec, "[arcsec] known-ring match radius");
    std::string known;
    for (const std::string& k : p.knownCatalogs)
        known += (known.empty() ? "" : ",") + k;
    key("RM_KNOWN", known, "rings catalogs matched against");
    key("RM_VERS", p.version, "RingMiner version");
    m->w.check("write header");
}

CandidateFitsWriter::~CandidateFitsWriter()
{
    if (!m->committed) {
        const std::string tmp = m->tmp;
        m.reset(); // closes the file
        std::error_code ec;
        fs::remove(tmp, ec);
    }
}

void CandidateFitsWriter::write(const CandidateTable& t)
{
    // At most 8192 rows per fits_write_col call, as the whole-table writer always did.
    const std::size_t chunk = 8192;
    for (std::size_t b = 0; b < t.size(); b += chunk) {
        const std::size_t e = std::min(t.size(), b + chunk);
        const LONGLONG first = static_cast<LONGLONG>(m->rows + b) + 1;
        const LONGLONG count = static_cast<LONGLONG>(e - b);
        int col = 1;
        std::vector<LONGLONG> rowv;
        for (std::size_t i = b; i < e; ++i)
            rowv.push_back(static_cast<LONGLONG>(t.sourceRow[i]) - 1); // 0-based, as the CSV
        fits_write_col(m->w.f(), TLONGLONG, col++, first, 1, count, rowv.data(), m->w.status());
        auto strings = [&](const std::vector<std::string>& v) {
            std::vector<char*> ptrs;
            for (std::size_t i = b; i < e; ++i)
                ptrs.push_back(const_cast<char*>(v[i].c_str()));
            fits_write_col(m->w.f(), TSTRING, col++, first, 1, count, ptrs.data(), m->w.status());
        };
        auto doubles = [&](const std::vector<double>& v) {
            std::vector<double> d(v.begin() + b, v.begin() + e);
            fits_write_col(m->w.f(), TDOUBLE, col++, first, 1, count, d.data(), m->w.status());
        };
        auto floats = [&](const std::vector<float>& v) {
            std::vector<float> d(v.begin() + b, v.begin() + e);
            fits_write_col(m->w.f(), TFLOAT, col++, first, 1, count, d.data(), m->w.status());
        };
        auto logicals = [&](const std::vector<std::uint8_t>& v) {
            std::vector<char> d(v.begin() + b, v.begin() + e);
            fits_write_col(m->w.f(), TLOGICAL, col++, first, 1, count, d.data(), m->w.status());
        };
        strings(t.id);
        if (m->hasPositions) {
            doubles(t.ra);
            doubles(t.dec);
        }
        floats(t.pRing);
        if (m->tta) floats(t.pRingStd);
        logicals(t.isRing);
        logicals(t.knownRing);
        strings(t.knownCatalog);
        strings(t.knownId);
        doubles(t.knownSeparation);
        strings(t.error);
        for (const auto& column : t.imageColumns)
            strings(column);
        m->w.check("write rows");
    }
    m->rows += t.size();
}

void CandidateFitsWriter::commit()
{
    m->w.close();
    syncAndRename(m->tmp, m->path);
    m->committed = true;
}

void writeCandidatesFits(const std::string& path, const CandidateTable& t, const CandidateProvenance& p)
{
    CandidateWidths widths;
    widths.include(t);
    CandidateFitsWriter w(path, t, widths, p);
    w.write(t);
    w.commit();
}

} // namespace rm

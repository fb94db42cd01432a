#include "targets/TargetSetBuilder.h"

#include "sky/CrossMatcher.h"
#include "sky/SkyCoords.h"
#include "store/LabelStore.h"
#include "store/ProjectStore.h"
#include "targets/CatalogMatch.h"
#include "util/Error.h"
#include "util/Random.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace rm {

const char* splitName(int split)
{
    switch (split) {
    case Train:
        return "train";
    case Val:
        return "val";
    case Test:
        return "test";
    }
    return "train";
}

static int parseSplit(const std::string& s)
{
    if (s == "val") return Val;
    if (s == "test") return Test;
    return Train;
}

nlohmann::json TargetSetSpec::toJson() const
{
    return {{"name", name},
            {"rings", rings},
            {"images", images},
            {"labelled", labelled},
            {"radius_arcsec", radiusArcsec},
            {"duplicate_radius_arcsec", duplicateRadiusArcsec},
            {"negatives", negatives},
            {"negatives_per_positive", negativesPerPositive},
            {"exclusion_radius_arcsec", exclusionRadiusArcsec},
            {"match_column", matchColumn},
            {"match_bins", matchBins},
            {"train_fraction", trainFraction},
            {"val_fraction", valFraction},
            {"seed", seed},
            {"use_hand_labels", useHandLabels}};
}

TargetSetSpec TargetSetSpec::fromJson(const nlohmann::json& j)
{
    TargetSetSpec s;
    s.name = j.value("name", "");
    s.rings = j.value("rings", "");
    s.images = j.value("images", "");
    s.labelled = j.value("labelled", "");
    s.radiusArcsec = j.value("radius_arcsec", 5.0);
    s.duplicateRadiusArcsec = j.value("duplicate_radius_arcsec", 1.0);
    s.negatives = j.value("negatives", "");
    s.negativesPerPositive = j.value("negatives_per_positive", 1.0);
    s.exclusionRadiusArcsec = j.value("exclusion_radius_arcsec", 5.0);
    s.matchColumn = j.value("match_column", "");
    s.matchBins = j.value("match_bins", 10);
    s.trainFraction = j.value("train_fraction", 0.7);
    s.valFraction = j.value("val_fraction", 0.15);
    s.seed = j.value("seed", std::uint64_t{42});
    s.useHandLabels = j.value("use_hand_labels", true);
    return s;
}

std::size_t TargetSetReport::total() const
{
    std::size_t n = 0;
    for (const auto& s : counts)
        n += s[0] + s[1];
    return n;
}

nlohmann::json TargetSetReport::toJson() const
{
    nlohmann::json steps_ = nlohmann::json::array();
    for (const auto& s : steps)
        steps_.push_back({{"what", s.what}, {"count", s.count}});
    nlohmann::json splits = nlohmann::json::object();
    for (int sp = 0; sp < 3; ++sp)
        splits[splitName(sp)] = {{"ring", counts[sp][1]}, {"not_ring", counts[sp][0]}};
    std::size_t pos = counts[0][1] + counts[1][1] + counts[2][1];
    return {{"name", name},        {"steps", steps_},  {"splits", splits},
            {"positives", pos},    {"total", total()}, {"negatives", total() - pos},
            {"warnings", warnings}};
}

TargetSetReport TargetSetReport::fromJson(const nlohmann::json& j)
{
    TargetSetReport r;
    r.name = j.value("name", "");
    for (const auto& s : j.value("steps", nlohmann::json::array()))
        r.steps.push_back({s.value("what", ""), s.value("count", std::size_t{0})});
    for (int sp = 0; sp < 3; ++sp) {
        const auto& o = j["splits"][splitName(sp)];
        r.counts[sp][1] = o.value("ring", std::size_t{0});
        r.counts[sp][0] = o.value("not_ring", std::size_t{0});
    }
    r.warnings = j.value("warnings", std::vector<std::string>{});
    return r;
}

namespace {

struct Candidate
{
    std::int64_t catalogId;
    std::int64_t row;
    double ra, dec;
    int label;
    std::string origin;
    double matchValue = NAN;
};

class Builder
{
public:
    Builder(ProjectStore& store, const TargetSetSpec& spec,
            const std::function<void(const std::string&)>& log)
        : m_store(store), m_spec(spec), m_log(log)
    {
    }

    TargetSetReport run();

private:
    void step(const std::string& what, std::size_t count)
    {
        m_report.steps.push_back({what, count});
        if (m_log) m_log(what + ": " + std::to_string(count));
    }
    void warn(const std::string& w)
    {
        m_report.warnings.push_back(w);
        if (m_log) m_log("warning: " + w);
    }
    void validate();
    void collectPositives();
    void applyHandLabels();
    void drawNegatives();
    void assignSplits();
    std::int64_t save();
    std::vector<double> columnValues(std::int64_t catalogId, const std::string& column);

    ProjectStore& m_store;
    TargetSetSpec m_spec;
    std::function<void(const std::string&)> m_log;
    TargetSetReport m_report;
    std::vector<Candidate> m_targets;
    std::vector<int> m_split;
};

void Builder::validate()
{
    const int sources = !m_spec.rings.empty() + !m_spec.labelled.empty();
    if (m_spec.name.empty()) throw Error("a target set needs a name");
    if (sources != 1) throw Error("give either a rings catalog (--rings) or a labelled catalog (--labelled)");
    if (!m_spec.images.empty() && m_spec.rings.empty())
        throw Error("--images needs --rings to match against");
    if (m_spec.labelled.empty() && m_spec.negatives.empty())
        throw Error(
            "a target set from a rings catalog needs a parent catalog to draw negatives from (--negatives)");
    if (!(m_spec.trainFraction > 0) || m_spec.valFraction < 0 ||
        m_spec.trainFraction + m_spec.valFraction > 1.0)
        throw Error("split fractions must satisfy 0 < train, 0 <= val and train + val <= 1");
    if (!(m_spec.negativesPerPositive >= 0)) throw Error("negatives per positive must be >= 0");
    if (m_spec.matchBins < 1) throw Error("the number of distribution-matching bins must be at least 1");
    if (hasTargetSet(m_store, m_spec.name))
        throw Error("the project already has a target set named '" + m_spec.name + "'");
}

std::vector<double> Builder::columnValues(std::int64_t catalogId, const std::string& column)
{
    Table t = m_store.loadTable(catalogId, {column});
    const Column& c = t.columns.front();
    if (c.type == ColumnType::Text)
        throw Error("column '" + column + "' is text; distribution matching needs numbers");
    std::vector<double> v(c.size(), NAN);
    for (std::size_t r = 0; r < v.size(); ++r)
        if (auto x = c.number(r)) v[r] = *x;
    return v;
}

static bool hasColumn(const CatalogInfo& info, const std::string& name)
{
    return std::any_of(info.columns.begin(), info.columns.end(),
                       [&](const auto& c) { return c.first == name; });
}

void Builder::collectPositives()
{
    if (!m_spec.labelled.empty()) {
        CatalogInfo lab = m_store.catalog(m_spec.labelled);
        if (lab.role != CatalogRole::Labelled)
            throw Error("catalog '" + lab.name +
                        "' is not a labelled catalog (import it with --role labelled "
                        "--label-column COLUMN)");
        CatalogPositions p = m_store.positions(lab.id);
        std::vector<int> truth = catalogRingTruth(m_store, lab.id);
        std::vector<double> mv;
        if (!m_spec.matchColumn.empty() && hasColumn(lab, m_spec.matchColumn))
            mv = columnValues(lab.id, m_spec.matchColumn);
        step("rows of " + lab.name, lab.rowCount);
        std::size_t unknown = 0, pos = 0;
        for (std::size_t r = 0; r < truth.size(); ++r) {
            if (truth[r] < 0) {
                ++unknown;
                continue;
            }
            pos += truth[r];
            m_targets.push_back({lab.id, static_cast<std::int64_t>(r), p.ra[r], p.dec[r], truth[r],
                                 "labelled", mv.empty() ? NAN : mv[r]});
        }
        if (unknown)
            warn(std::to_string(unknown) + " rows of " + lab.name + " have no usable label in column '" +
                 lab.labelColumn + "' and were left out");
        step("labelled ring", pos);
        step("labelled not ring", m_targets.size() - pos);
        // Conflicts with the project's ring catalogs are reported, not silently resolved: catalogs disagree.
        for (const CatalogInfo& other : m_store.catalogs()) {
            if (other.role != CatalogRole::Rings) continue;
            CatalogPositions op = m_store.positions(other.id);
            SkyIndex idx(op.ra, op.dec);
            std::size_t inRings = 0, conflicts = 0;
            for (const Candidate& c : m_targets) {
                if (idx.within(c.ra, c.dec, m_spec.radiusArcsec).empty()) continue;
                ++inRings;
                conflicts += c.label == 0;
            }
            step("of them in " + other.name + " within " + std::to_string(m_spec.radiusArcsec).substr(0, 4) +
                     "\"",
                 inRings);
            if (conflicts)
                warn(std::to_string(conflicts) + " of the " + std::to_string(inRings) + " galaxies in " +
                     other.name + " are labelled not ring in " + lab.name);
        }
        return;
    }

    CatalogInfo rings = m_store.catalog(m_spec.rings);
    CatalogPositions rp = m_store.positions(rings.id);
    step("rows of " + rings.name, rings.rowCount);

    // One galaxy listed twice in a ring catalog must not become two positives.
    std::vector<std::size_t> distinct;
    {
        SkyIndex idx(rp.ra, rp.dec);
        for (std::size_t r = 0; r < rp.ra.size(); ++r) {
            bool duplicate = false;
            for (const auto& [other, sep] : idx.within(rp.ra[r], rp.dec[r], m_spec.duplicateRadiusArcsec))
                if (other < r) duplicate = true;
            if (!duplicate) distinct.push_back(r);
        }
    }
    step("distinct galaxies (duplicates within " + std::to_string(m_spec.duplicateRadiusArcsec).substr(0, 4) +
             "\" merged)",
         distinct.size());

    std::vector<double> ringValues;
    if (!m_spec.matchColumn.empty() && hasColumn(rings, m_spec.matchColumn))
        ringValues = columnValues(rings.id, m_spec.matchColumn);

    if (m_spec.images.empty()) {
        for (std::size_t r : distinct)
            m_targets.push_back({rings.id, static_cast<std::int64_t>(r), rp.ra[r], rp.dec[r], 1, "rings",
                                 ringValues.empty() ? NAN : ringValues[r]});
        return;
    }

    CatalogInfo images = m_store.catalog(m_spec.images);
    CatalogPositions ip = m_store.positions(images.id);
    std::vector<double> imageValues;
    if (!m_spec.matchColumn.empty() && hasColumn(images, m_spec.matchColumn))
        imageValues = columnValues(images.id, m_spec.matchColumn);
    // Each ring takes its nearest image row; an image row claimed by two rings is still one target.
    SkyIndex idx(ip.ra, ip.dec);
    std::set<std::int64_t> used;
    for (std::size_t r : distinct) {
        auto hits = idx.within(rp.ra[r], rp.dec[r], m_spec.radiusArcsec);
        if (hits.empty()) continue;
        const std::int64_t row = hits.front().first;
        if (!used.insert(row).second) continue;
        double v = !imageValues.empty() ? imageValues[row] : (!ringValues.empty() ? ringValues[r] : NAN);
        m_targets.push_back({images.id, row, ip.ra[row], ip.dec[row], 1, "rings x images", v});
    }
    step("found in " + images.name + " within " + std::to_string(m_spec.radiusArcsec).substr(0, 4) + "\"",
         m_targets.size());
}

void Builder::applyHandLabels()
{
    if (!m_spec.useHandLabels) return;
    LabelStore labels(m_store.db());
    std::vector<CurrentLabel> current = labels.allCurrent();
    if (current.empty()) return;
    std::vector<double> ra, dec;
    for (const auto& c : current) {
        ra.push_back(c.ra);
        dec.push_back(c.dec);
    }
    SkyIndex idx(ra, dec);
    std::size_t changed = 0, removed = 0;
    std::vector<Candidate> kept;
    for (Candidate c : m_targets) {
        auto hits = idx.within(c.ra, c.dec, m_spec.duplicateRadiusArcsec);
        if (!hits.empty()) {
            const CurrentLabel& l = current[hits.front().first];
            if (l.label == HandLabel::Unsure) {
                ++removed;
                continue;
            }
            const int label = l.label == HandLabel::Ring ? 1 : 0;
            if (label != c.label) {
                ++changed;
                c.label = label;
                c.origin += " (hand label)";
            }
        }
        kept.push_back(std::move(c));
    }
    m_targets = std::move(kept);
    // A galaxy of the negative pool hand-labelled a ring is a positive: the pool never offers it as a
    // negative (drawNegatives keeps hand-labelled rings out), and a ring found in the review queue must teach
    // the next training.
    std::size_t added = 0;
    if (!m_spec.negatives.empty()) {
        const std::int64_t pool = m_store.catalog(m_spec.negatives).id;
        std::vector<double> targetRa, targetDec;
        for (const Candidate& c : m_targets) {
            targetRa.push_back(c.ra);
            targetDec.push_back(c.dec);
        }
        SkyIndex targets(targetRa, targetDec);
        for (const CurrentLabel& l : current)
            if (l.label == HandLabel::Ring && l.galaxy.catalogId == pool &&
                targets.within(l.ra, l.dec, m_spec.duplicateRadiusArcsec).empty()) {
                m_targets.push_back({pool, l.galaxy.row, l.ra, l.dec, 1, "hand label", NAN});
                ++added;
            }
    }
    step("classes changed by hand labels", changed);
    step("removed as unsure by hand labels", removed);
    if (!m_spec.negatives.empty()) step("rings added by hand labels from " + m_spec.negatives, added);
}

void Builder::drawNegatives()
{
    std::size_t positives = 0;
    for (const auto& c : m_targets)
        positives += c.label;
    const std::size_t have = m_targets.size() - positives;
    const auto wanted = static_cast<std::size_t>(std::llround(positives * m_spec.negativesPerPositive));
    if (m_spec.negatives.empty()) {
        step("positives", positives);
        step("negatives", have);
        return;
    }
    const std::size_t needed = wanted > have ? wanted - have : 0;

    CatalogInfo parent = m_store.catalog(m_spec.negatives);
    CatalogPositions pp = m_store.positions(parent.id);
    step("rows of " + parent.name + " (negative pool)", parent.rowCount);

    // Everything known to be a ring (any rings catalog, ring rows of labelled catalogs, hand labels other
    // than "not ring", and this set's positives) keeps its neighbourhood out of the pool.
    std::vector<double> ringRa, ringDec;
    for (const CatalogInfo& c : m_store.catalogs()) {
        if (c.role != CatalogRole::Rings && c.role != CatalogRole::Labelled) continue;
        CatalogPositions p = m_store.positions(c.id);
        std::vector<int> truth = catalogRingTruth(m_store, c.id);
        for (std::size_t r = 0; r < truth.size(); ++r)
            if (truth[r] == 1) {
                ringRa.push_back(p.ra[r]);
                ringDec.push_back(p.dec[r]);
            }
    }
    for (const CurrentLabel& l : LabelStore(m_store.db()).allCurrent())
        if (m_spec.useHandLabels && l.label != HandLabel::NotRing) {
            ringRa.push_back(l.ra);
            ringDec.push_back(l.dec);
        }
    std::set<std::pair<std::int64_t, std::int64_t>> taken;
    for (const auto& c : m_targets) {
        taken.insert({c.catalogId, c.row});
        if (c.label == 1) {
            ringRa.push_back(c.ra);
            ringDec.push_back(c.dec);
        }
    }
    SkyIndex rings(ringRa, ringDec);
    std::vector<std::size_t> pool;
    for (std::size_t r = 0; r < pp.ra.size(); ++r) {
        if (taken.count({parent.id, static_cast<std::int64_t>(r)})) continue;
        if (!rings.within(pp.ra[r], pp.dec[r], m_spec.exclusionRadiusArcsec).empty()) continue;
        pool.push_back(r);
    }
    step("after excluding known rings within " + std::to_string(m_spec.exclusionRadiusArcsec).substr(0, 4) +
             "\"",
         pool.size());

    SplitMix64 rng(m_spec.seed ^ 0x6E65676174697665ull);
    std::vector<std::size_t> chosen;
    if (m_spec.matchColumn.empty()) {
        deterministicShuffle(pool, rng);
        chosen.assign(pool.begin(), pool.begin() + std::min(needed, pool.size()));
    } else {
        if (!hasColumn(parent, m_spec.matchColumn))
            throw Error("catalog '" + parent.name + "' has no column '" + m_spec.matchColumn +
                        "' to match the distribution of");
        std::vector<double> pv = columnValues(parent.id, m_spec.matchColumn);
        std::vector<double> posValues;
        std::size_t posNoValue = 0;
        for (const auto& c : m_targets)
            if (c.label == 1) {
                if (std::isfinite(c.matchValue))
                    posValues.push_back(c.matchValue);
                else
                    ++posNoValue;
            }
        if (posValues.empty())
            throw Error("no positive has a value in column '" + m_spec.matchColumn + "' to match");
        std::sort(posValues.begin(), posValues.end());
        // Quantile bin edges of the positives, so every bin holds about the same number of positives.
        const int bins = std::min<int>(m_spec.matchBins, static_cast<int>(posValues.size()));
        std::vector<double> edges;
        for (int b = 1; b < bins; ++b)
            edges.push_back(posValues[posValues.size() * b / bins]);
        auto binOf = [&](double v) {
            return static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
        };
        std::vector<std::size_t> posPerBin(bins + 1, 0); // the last slot: positives with no value
        for (double v : posValues)
            ++posPerBin[binOf(v)];
        posPerBin[bins] = posNoValue;
        std::vector<std::vector<std::size_t>> poolPerBin(bins + 1);
        deterministicShuffle(pool, rng);
        for (std::size_t r : pool)
            poolPerBin[std::isfinite(pv[r]) ? binOf(pv[r]) : bins].push_back(r);
        // Largest-remainder apportionment of `needed` over the bins.
        const std::size_t posTotal = posValues.size() + posNoValue;
        std::vector<std::size_t> quota(bins + 1);
        std::vector<std::pair<double, int>> remainders;
        std::size_t assigned = 0;
        for (int b = 0; b <= bins; ++b) {
            double exact = static_cast<double>(needed) * posPerBin[b] / posTotal;
            quota[b] = static_cast<std::size_t>(exact);
            assigned += quota[b];
            remainders.push_back({exact - quota[b], -b});
        }
        std::sort(remainders.rbegin(), remainders.rend());
        for (std::size_t i = 0; assigned < needed && i < remainders.size(); ++i, ++assigned)
            ++quota[-remainders[i].second];
        std::size_t inBin = 0;
        std::vector<std::size_t> taken(bins + 1, 0);
        for (int b = 0; b <= bins; ++b) {
            taken[b] = std::min(quota[b], poolPerBin[b].size());
            inBin += taken[b];
        }
        // A short bin borrows from its nearest neighbours (then further out), so where the pool does not
        // reach the positives' range the shape stays as close as the pool allows. Said in the report.
        std::size_t borrowed = 0;
        for (int b = 0; b < bins; ++b) {
            std::size_t missing = quota[b] > poolPerBin[b].size() ? quota[b] - poolPerBin[b].size() : 0;
            for (int dist = 1; missing > 0 && dist < bins; ++dist) {
                for (int nb : {b - dist, b + dist}) {
                    if (nb < 0 || nb >= bins || missing == 0) continue;
                    const std::size_t spare = poolPerBin[nb].size() - taken[nb];
                    const std::size_t take = std::min(spare, missing);
                    taken[nb] += take;
                    missing -= take;
                    borrowed += take;
                }
            }
        }
        std::size_t missingNoValue = quota[bins] - taken[bins];
        for (int b = 0; missingNoValue > 0 && b < bins; ++b) { // positives with no value: any bin will do
            const std::size_t take = std::min(poolPerBin[b].size() - taken[b], missingNoValue);
            taken[b] += take;
            missingNoValue -= take;
            borrowed += take;
        }
        for (int b = 0; b <= bins; ++b)
            chosen.insert(chosen.end(), poolPerBin[b].begin(), poolPerBin[b].begin() + taken[b]);
        if (borrowed)
            warn(std::to_string(borrowed) + " negatives could not be drawn in their '" + m_spec.matchColumn +
                 "' bin (the pool does not cover the positives' range) and came from the nearest bins");
        step("negatives drawn matching the positives' '" + m_spec.matchColumn + "' distribution (" +
                 std::to_string(bins) + " bins)",
             inBin);
        for (std::size_t r : chosen)
            m_targets.push_back(
                {parent.id, static_cast<std::int64_t>(r), pp.ra[r], pp.dec[r], 0, "negatives", pv[r]});
        chosen.clear();
    }
    for (std::size_t r : chosen)
        m_targets.push_back(
            {parent.id, static_cast<std::int64_t>(r), pp.ra[r], pp.dec[r], 0, "negatives", NAN});
    if (m_targets.size() - positives < wanted)
        warn("only " + std::to_string(m_targets.size() - positives) + " negatives for " +
             std::to_string(positives) + " positives: the pool ran out");
    step("positives", positives);
    step("negatives", m_targets.size() - positives);
}

void Builder::assignSplits()
{
    // Stratified: each class is shuffled on its own and cut by the fractions, so every split keeps the
    // balance.
    std::sort(m_targets.begin(), m_targets.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(a.label, a.catalogId, a.row) < std::tie(b.label, b.catalogId, b.row);
    });
    SplitMix64 rng(m_spec.seed);
    std::vector<Candidate> ordered;
    std::vector<int> splits;
    for (int label = 1; label >= 0; --label) {
        std::vector<std::size_t> idx;
        for (std::size_t i = 0; i < m_targets.size(); ++i)
            if (m_targets[i].label == label) idx.push_back(i);
        deterministicShuffle(idx, rng);
        const std::size_t n = idx.size();
        const auto nTrain = static_cast<std::size_t>(std::llround(n * m_spec.trainFraction));
        const auto nVal =
            std::min(n - nTrain, static_cast<std::size_t>(std::llround(n * m_spec.valFraction)));
        for (std::size_t k = 0; k < n; ++k) {
            const int sp = k < nTrain ? Train : (k < nTrain + nVal ? Val : Test);
            ordered.push_back(m_targets[idx[k]]);
            splits.push_back(sp);
            ++m_report.counts[sp][label];
        }
    }
    m_targets = std::move(ordered);
    m_split = std::move(splits);
}

std::int64_t Builder::save()
{
    Transaction tx(m_store.db());
    m_store.db()
        .prepare("INSERT INTO target_sets(name, params_json, report_json, created_at) VALUES(?,?,?,?)")
        .bind(1, m_spec.name)
        .bind(2, m_spec.toJson().dump())
        .bind(3, m_report.toJson().dump())
        .bind(4, nowIso8601())
        .run();
    const std::int64_t id = m_store.db().lastInsertId();
    Statement ins = m_store.db().prepare("INSERT INTO targets(target_set_id, idx, catalog_id, row, ra, dec, "
                                         "label, split, origin) VALUES(?,?,?,?,?,?,?,?,?)");
    for (std::size_t i = 0; i < m_targets.size(); ++i) {
        const Candidate& c = m_targets[i];
        ins.bind(1, id).bind(2, i).bind(3, c.catalogId).bind(4, c.row).bind(5, c.ra).bind(6, c.dec);
        ins.bind(7, c.label).bind(8, splitName(m_split[i])).bind(9, c.origin).run();
    }
    tx.commit();
    return id;
}

TargetSetReport Builder::run()
{
    validate();
    m_report.name = m_spec.name;
    collectPositives();
    applyHandLabels();
    drawNegatives();
    if (m_targets.empty()) throw Error("target set '" + m_spec.name + "' would be empty");
    // A classifier needs both classes: one class only means a wrong label column or no negatives.
    const auto rings =
        std::count_if(m_targets.begin(), m_targets.end(), [](const Candidate& c) { return c.label == 1; });
    if (rings == 0 || rings == static_cast<std::ptrdiff_t>(m_targets.size()))
        throw Error("target set '" + m_spec.name + "' would have " + std::to_string(rings) + " rings and " +
                    std::to_string(m_targets.size() - static_cast<std::size_t>(rings)) +
                    " non-rings: training needs both (check the label column, or add --negatives CATALOG)");
    assignSplits();
    m_report.id = save();
    return m_report;
}

} // namespace

TargetSetReport buildTargetSet(ProjectStore& store, const TargetSetSpec& spec,
                               const std::function<void(const std::string&)>& log)
{
    return Builder(store, spec, log).run();
}

std::vector<std::string> targetSetNames(ProjectStore& store)
{
    std::vector<std::string> names;
    Statement s = store.db().prepare("SELECT name FROM target_sets ORDER BY id");
    while (s.step())
        names.push_back(s.text(0));
    return names;
}

bool hasTargetSet(ProjectStore& store, const std::string& name)
{
    return store.db().prepare("SELECT 1 FROM target_sets WHERE name = ?").bind(1, name).step();
}

static Statement targetSetRow(ProjectStore& store, const std::string& name)
{
    Statement s = store.db().prepare("SELECT id, params_json, report_json FROM target_sets WHERE name = ?");
    s.bind(1, name);
    if (!s.step()) {
        std::string known;
        for (const auto& n : targetSetNames(store))
            known += (known.empty() ? "" : ", ") + n;
        throw Error("no target set named '" + name + "'" +
                    (known.empty() ? " (the project has none yet)" : " (it has: " + known + ")"));
    }
    return s;
}

TargetSetReport targetSetReport(ProjectStore& store, const std::string& name)
{
    Statement s = targetSetRow(store, name);
    TargetSetReport r = TargetSetReport::fromJson(nlohmann::json::parse(s.text(2)));
    r.id = s.integer(0);
    return r;
}

TargetSetSpec targetSetSpec(ProjectStore& store, const std::string& name)
{
    Statement s = targetSetRow(store, name);
    return TargetSetSpec::fromJson(nlohmann::json::parse(s.text(1)));
}

std::vector<Target> loadTargets(ProjectStore& store, const std::string& name)
{
    const std::int64_t id = targetSetRow(store, name).integer(0);
    Statement s = store.db().prepare("SELECT catalog_id, row, ra, dec, label, split, origin FROM targets "
                                     "WHERE target_set_id = ? ORDER BY idx");
    s.bind(1, id);
    std::vector<Target> out;
    while (s.step())
        out.push_back({s.integer(0), s.integer(1), s.real(2), s.real(3), static_cast<int>(s.integer(4)),
                       parseSplit(s.text(5)), s.text(6)});
    return out;
}

void removeTargetSet(ProjectStore& store, const std::string& name)
{
    const std::int64_t id = targetSetRow(store, name).integer(0);
    store.db().prepare("DELETE FROM target_sets WHERE id = ?").bind(1, id).run();
}

} // namespace rm

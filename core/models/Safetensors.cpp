#include "models/Safetensors.h"

#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <limits>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rm {

namespace {

// A header beyond this is not a weights file; the reference implementation caps it at 100 MB too.
constexpr std::uint64_t kMaxHeader = 100u * 1024u * 1024u;

struct DTypeEntry
{
    TensorDType type;
    const char* name;
    std::size_t size;
};
constexpr DTypeEntry kDTypes[] = {{TensorDType::F64, "F64", 8}, {TensorDType::F32, "F32", 4},
                                  {TensorDType::F16, "F16", 2}, {TensorDType::BF16, "BF16", 2},
                                  {TensorDType::I64, "I64", 8}, {TensorDType::I32, "I32", 4},
                                  {TensorDType::I16, "I16", 2}, {TensorDType::I8, "I8", 1},
                                  {TensorDType::U8, "U8", 1},   {TensorDType::Bool, "BOOL", 1}};

} // namespace

const char* dtypeName(TensorDType t)
{
    for (const auto& d : kDTypes)
        if (d.type == t) return d.name;
    return "?";
}

std::size_t dtypeSize(TensorDType t)
{
    for (const auto& d : kDTypes)
        if (d.type == t) return d.size;
    return 0;
}

std::int64_t TensorInfo::numel() const
{
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = (h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1F;
    std::uint32_t mant = h & 0x3FF;
    std::uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { // subnormal: normalise
            int e = -1;
            do {
                ++e;
                mant <<= 1;
            } while (!(mant & 0x400));
            bits = sign | static_cast<std::uint32_t>(127 - 15 - e) << 23 | (mant & 0x3FF) << 13;
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | mant << 13;
    } else {
        bits = sign | (exp + 127 - 15) << 23 | mant << 13;
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float bfloat16ToFloat(std::uint16_t b)
{
    const std::uint32_t bits = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

std::uint16_t floatToBfloat16(float f)
{
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if ((bits & 0x7F800000u) == 0x7F800000u && (bits & 0x7FFFFFu))
        return static_cast<std::uint16_t>((bits >> 16) | 0x40);
    bits += 0x7FFFu + ((bits >> 16) & 1u);
    return static_cast<std::uint16_t>(bits >> 16);
}

std::uint16_t floatToHalf(float f)
{
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    const std::uint32_t absx = x & 0x7FFFFFFFu;
    if (absx >= 0x7F800000u) return sign | (absx > 0x7F800000u ? 0x7E00 : 0x7C00); // NaN / Inf
    if (absx >= 0x477FF000u) return sign | 0x7C00;                                 // overflow to Inf
    if (absx < 0x38800000u) {                                                      // subnormal or zero
        if (absx < 0x33000000u) return sign;
        const std::uint32_t mant = (absx & 0x7FFFFFu) | 0x800000u;
        // value = mant * 2^(e - 150) and a half subnormal counts units of 2^-24, so shift by 126 - e.
        const int shift = 126 - static_cast<int>(absx >> 23);
        std::uint32_t h = mant >> shift;
        const std::uint32_t rem = mant & ((1u << shift) - 1);
        const std::uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) ++h;
        return sign | static_cast<std::uint16_t>(h);
    }
    std::uint32_t h = ((absx >> 23) - 112) << 10 | ((absx >> 13) & 0x3FF);
    const std::uint32_t rem = absx & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
    return sign | static_cast<std::uint16_t>(h);
}

SafetensorsFile::SafetensorsFile(const std::string& path) : m_path(path)
{
    auto fail = [&](const std::string& why) { throw InputError(path, 0, "", why); };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(std::string("cannot open: ") + std::strerror(errno));
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        fail(std::string("cannot stat: ") + std::strerror(errno));
    }
    m_size = static_cast<std::size_t>(st.st_size);
    if (m_size < 8) {
        ::close(fd);
        fail("not a safetensors file: " + std::to_string(m_size) +
             " bytes, shorter than the 8-byte header length");
    }
    m_map = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (m_map == MAP_FAILED) {
        m_map = nullptr;
        fail(std::string("cannot map: ") + std::strerror(errno));
    }
    try {
        const auto* bytes = static_cast<const std::uint8_t*>(m_map);
        std::uint64_t headerLen = 0;
        for (int i = 7; i >= 0; --i)
            headerLen = headerLen << 8 | bytes[i];
        // A PyTorch checkpoint (a pickle, or a zip of pickles) is never loaded: unpickling runs code.
        if (bytes[0] == 0x80 && bytes[1] >= 2 && bytes[1] <= 5)
            fail("is a Python pickle (a PyTorch .pt/.pth checkpoint?), not safetensors; RingMiner never "
                 "unpickles (it would run code from the file): convert it with safetensors.torch.save_file");
        if (std::memcmp(bytes, "PK\x03\x04", 4) == 0)
            fail("is a zip archive (a PyTorch .pt checkpoint holds pickles in one), not safetensors; "
                 "RingMiner never unpickles: convert it with safetensors.torch.save_file");
        if (headerLen > kMaxHeader)
            fail("header length " + std::to_string(headerLen) + " is implausible (not safetensors?)");
        if (headerLen > m_size - 8)
            fail("header length " + std::to_string(headerLen) + " runs past the end of the file (" +
                 std::to_string(m_size) + " bytes): truncated?");
        m_dataStart = 8 + headerLen;
        nlohmann::json header;
        try {
            header = nlohmann::json::parse(bytes + 8, bytes + m_dataStart);
        } catch (const nlohmann::json::exception& e) {
            fail(std::string("header is not valid JSON: ") + e.what());
        }
        if (!header.is_object()) fail("header is not a JSON object");
        const std::uint64_t dataSize = m_size - m_dataStart;
        for (auto it = header.begin(); it != header.end(); ++it) {
            if (it.key() == "__metadata__") {
                if (!it->is_object()) fail("__metadata__ is not an object");
                for (auto m = it->begin(); m != it->end(); ++m) {
                    if (!m->is_string()) fail("__metadata__ value '" + m.key() + "' is not a string");
                    m_metadata[m.key()] = m->get<std::string>();
                }
                continue;
            }
            const std::string where = "tensor '" + it.key() + "': ";
            const auto& v = *it;
            if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
                fail(where + "needs dtype, shape and data_offsets");
            TensorInfo t;
            t.name = it.key();
            const std::string dt = v["dtype"].is_string() ? v["dtype"].get<std::string>() : "";
            auto d = std::find_if(std::begin(kDTypes), std::end(kDTypes),
                                  [&](const DTypeEntry& e) { return dt == e.name; });
            if (d == std::end(kDTypes)) fail(where + "unsupported dtype '" + dt + "'");
            t.dtype = d->type;
            if (!v["shape"].is_array()) fail(where + "shape is not an array");
            std::uint64_t numel = 1;
            for (const auto& s : v["shape"]) {
                if (!s.is_number_unsigned()) fail(where + "shape has a non-integer or negative dimension");
                const auto dim = s.get<std::uint64_t>();
                if (dim > (1ull << 40) || (dim && numel > (1ull << 62) / dim))
                    fail(where + "shape is implausibly large");
                numel *= dim;
                t.shape.push_back(static_cast<std::int64_t>(dim));
            }
            const auto& off = v["data_offsets"];
            if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
                !off[1].is_number_unsigned())
                fail(where + "data_offsets must be two non-negative integers");
            t.begin = off[0].get<std::uint64_t>();
            t.end = off[1].get<std::uint64_t>();
            if (t.end < t.begin) fail(where + "data_offsets end before they begin");
            if (t.end > dataSize)
                fail(where + "data ends at byte " + std::to_string(t.end) +
                     " but the data section has only " + std::to_string(dataSize) +
                     " bytes: truncated file?");
            // numel may be up to 2^62 and numel * 8 would wrap around to a small number (a shape of
            // [2^40, 2^22] F64 "needs" 0 bytes): checked by division before it is multiplied.
            const bool wraps = numel > std::numeric_limits<std::uint64_t>::max() / d->size;
            if (wraps || t.end - t.begin != numel * d->size)
                fail(where + "holds " + std::to_string(t.end - t.begin) + " bytes but " + dt +
                     " of that shape needs " +
                     (wraps ? std::string("more than 2^64 bytes") : std::to_string(numel * d->size)));
            m_tensors.push_back(std::move(t));
        }
        // Tensors must tile the data section without overlapping, or one weight could alias another.
        std::vector<const TensorInfo*> byOffset;
        for (const auto& t : m_tensors)
            byOffset.push_back(&t);
        std::sort(byOffset.begin(), byOffset.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
        std::uint64_t cursor = 0;
        for (const TensorInfo* t : byOffset) {
            if (t->begin < cursor) fail("tensor '" + t->name + "' overlaps the previous tensor's data");
            cursor = t->end;
        }
        std::sort(m_tensors.begin(), m_tensors.end(),
                  [](const TensorInfo& a, const TensorInfo& b) { return a.begin < b.begin; });
        for (std::size_t i = 0; i < m_tensors.size(); ++i)
            m_index[m_tensors[i].name] = i;
    } catch (...) {
        ::munmap(m_map, m_size);
        m_map = nullptr;
        throw;
    }
}

SafetensorsFile::~SafetensorsFile()
{
    if (m_map) ::munmap(m_map, m_size);
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const
{
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

const TensorInfo& SafetensorsFile::at(const std::string& name) const
{
    const TensorInfo* t = find(name);
    if (!t) throw InputError(m_path, 0, "", "has no tensor named '" + name + "'");
    return *t;
}

const std::uint8_t* SafetensorsFile::data(const TensorInfo& t) const
{
    return static_cast<const std::uint8_t*>(m_map) + m_dataStart + t.begin;
}

std::vector<float> SafetensorsFile::toFloat(const TensorInfo& t) const
{
    const std::uint8_t* p = data(t);
    const auto n = static_cast<std::size_t>(t.numel());
    std::vector<float> out(n);
    auto load = [&](auto tag, std::size_t i) {
        decltype(tag) v;
        std::memcpy(&v, p + i * sizeof v, sizeof v);
        return v;
    };
    for (std::size_t i = 0; i < n; ++i) {
        switch (t.dtype) {
        case TensorDType::F64:
            out[i] = static_cast<float>(load(double{}, i));
            break;
        case TensorDType::F32:
            out[i] = load(float{}, i);
            break;
        case TensorDType::F16:
            out[i] = halfToFloat(load(std::uint16_t{}, i));
            break;
        case TensorDType::BF16:
            out[i] = bfloat16ToFloat(load(std::uint16_t{}, i));
            break;
        case TensorDType::I64:
            out[i] = static_cast<float>(load(std::int64_t{}, i));
            break;
        case TensorDType::I32:
            out[i] = static_cast<float>(load(std::int32_t{}, i));
            break;
        case TensorDType::I16:
            out[i] = static_cast<float>(load(std::int16_t{}, i));
            break;
        case TensorDType::I8:
            out[i] = static_cast<float>(load(std::int8_t{}, i));
            break;
        case TensorDType::U8:
        case TensorDType::Bool:
            out[i] = static_cast<float>(p[i]);
            break;
        }
    }
    return out;
}

void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    std::vector<const TensorToWrite*> sorted;
    for (const auto& t : tensors)
        sorted.push_back(&t);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const TensorToWrite* t : sorted) {
        if (t->name == "__metadata__" || t->name.empty())
            throw Error("invalid tensor name '" + t->name + "'");
        std::uint64_t numel = 1;
        for (auto d : t->shape) {
            if (d < 0) throw Error("tensor '" + t->name + "' has a negative dimension");
            numel *= static_cast<std::uint64_t>(d);
        }
        const std::uint64_t bytes = numel * dtypeSize(t->dtype);
        header[t->name] = {
            {"dtype", dtypeName(t->dtype)}, {"shape", t->shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' '); // the reference writer pads to 8 bytes so the data stays aligned
    const std::string tmp = path + ".part";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error("cannot write '" + tmp + "': " + std::strerror(errno));
    bool ok = true;
    std::uint8_t len[8];
    for (int i = 0; i < 8; ++i)
        len[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(h.size()) >> (8 * i));
    ok &= std::fwrite(len, 1, 8, f) == 8;
    ok &= std::fwrite(h.data(), 1, h.size(), f) == h.size();
    for (const TensorToWrite* t : sorted) {
        std::uint64_t numel = 1;
        for (auto d : t->shape)
            numel *= static_cast<std::uint64_t>(d);
        const std::size_t bytes = numel * dtypeSize(t->dtype);
        if (bytes) ok &= std::fwrite(t->data, 1, bytes, f) == bytes;
    }
    ok &= std::fflush(f) == 0;
    ok &= ::fsync(::fileno(f)) == 0;
    ok &= std::fclose(f) == 0;
    if (!ok) {
        std::remove(tmp.c_str());
        throw Error("writing '" + path + "' failed: " + std::strerror(errno));
    }
    std::filesystem::rename(tmp, path);
}

} // namespace rm

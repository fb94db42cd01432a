#pragma once
// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header length,
// a JSON header {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the
// raw little-endian tensor bytes. The only weight format RingMiner reads or writes: no pickle, ever. Every
// offset and size is checked against the file, so a malformed file is a clear rm::InputError, not a crash.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rm {

enum class TensorDType
{
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool
};

const char* dtypeName(TensorDType t);
std::size_t dtypeSize(TensorDType t);

struct TensorInfo
{
    std::string name;
    TensorDType dtype = TensorDType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0, end = 0; // byte offsets into the data section
    std::int64_t numel() const;
};

class SafetensorsFile
{
public:
    // Maps the file and validates the header completely before returning.
    explicit SafetensorsFile(const std::string& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return m_path; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    const std::vector<TensorInfo>& tensors() const { return m_tensors; } // in file order
    const TensorInfo* find(const std::string& name) const;
    const TensorInfo& at(const std::string& name) const; // throws naming the tensor and the file
    const std::uint8_t* data(const TensorInfo& t) const;
    // The tensor's values converted to float32 (F64/F32/F16/BF16 and integer types).
    std::vector<float> toFloat(const TensorInfo& t) const;

private:
    std::string m_path;
    void* m_map = nullptr;
    std::size_t m_size = 0;
    std::size_t m_dataStart = 0;
    std::map<std::string, std::string> m_metadata;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, std::size_t> m_index;
};

struct TensorToWrite
{
    std::string name;
    std::vector<std::int64_t> shape;
    TensorDType dtype = TensorDType::F32;
    const void* data = nullptr; // numel * dtypeSize bytes, little-endian
};

// Writes tensors (sorted by name, as the reference implementation does) atomically: a temp file, then rename.
void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

float halfToFloat(std::uint16_t h);
float bfloat16ToFloat(std::uint16_t b);
std::uint16_t floatToBfloat16(float f); // round to nearest even
std::uint16_t floatToHalf(float f);     // round to nearest even

} // namespace rm

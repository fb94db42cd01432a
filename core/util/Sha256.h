#pragma once
// SHA-256 (FIPS 180-4), for the provenance of weights files: a run records the hash of the weights it wrote
// and a mined catalog names the hash of the model that scored it.
#include <cstddef>
#include <cstdint>
#include <string>

namespace rm {

class Sha256
{
public:
    Sha256();
    void update(const void* data, std::size_t size);
    std::string hexDigest(); // lowercase hex; finishes the hash

private:
    void block(const std::uint8_t* p);
    std::uint32_t m_h[8];
    std::uint8_t m_buffer[64];
    std::size_t m_buffered = 0;
    std::uint64_t m_bytes = 0;
};

std::string sha256Hex(const std::string& data);
// Throws rm::Error naming the file when it cannot be read.
std::string sha256File(const std::string& path);

} // namespace rm

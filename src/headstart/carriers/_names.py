"""Plausible alternative names for identifiers, shared by the Python and C source carriers.

A name is split into words (snake_case, camelCase or UPPER_CASE); each word that belongs to
a group of interchangeable words may be swapped for another member of its group. The
candidates come out in a fixed order (fewest swapped words first, then group order), so
slot discovery is deterministic. Whether a candidate is *safe* (no capture, no clash with
anything in scope or in the language's libraries) is the carrier's business; this module
only proposes names that a human author could plausibly have chosen.
"""

from __future__ import annotations

import builtins
import itertools
import keyword
import re

# Interchangeable words. A word may belong to one group only; single-letter members are
# offered only for names made of that one word (``i`` -> ``idx``, never ``row_i``).
WORD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("buf", "buffer", "data", "blob"),
    ("length", "len", "size", "nbytes"),
    ("i", "idx", "k", "j"),
    ("pos", "offset", "off", "cursor"),
    ("pixels", "raster", "bitmap"),
    ("count", "num", "total", "n"),
    ("header", "hdr", "head", "preamble"),
    ("value", "val", "v", "cur"),
    ("tmp", "temp", "scratch"),
    ("result", "res", "ret", "rv"),
    ("error", "err", "exc", "e"),
    ("message", "msg", "note"),
    ("ptr", "p", "q"),
    ("src", "source", "inp"),
    ("dst", "dest", "target"),
    ("out", "output", "sink", "fout"),
    ("args", "opts", "options", "ns"),
    ("parser", "ap", "argparser", "cli"),
    ("path", "filename", "fname", "outfile"),
    ("fh", "fp", "f", "stream"),
    ("crc", "checksum", "digest", "sum32"),
    ("width", "w", "cols", "img_width"),
    ("height", "h", "nrows", "img_height"),
    ("chunk", "block", "record", "segment"),
    ("chunks", "blocks", "records", "segments"),
    ("body", "content", "payload"),
    ("kind", "tag", "ctype"),
    ("fill", "filler", "pad", "padding"),
    ("pattern", "pat", "motif"),
    ("table", "tbl", "lut"),
    ("stride", "pitch", "row_bytes", "row_size"),
    ("created", "timestamp", "stamp", "when"),
    ("comment", "remark", "label", "caption"),
    ("magic", "signature", "sig"),
    ("byte", "octet", "ch", "c"),
    ("seed", "base", "initial"),
    ("poly", "polynomial", "generator"),
    ("mask", "bitmask"),
    ("start", "begin", "lo"),
    ("end", "stop", "hi"),
    ("limit", "bound", "cap"),
    ("overflow", "excess", "extra", "spill"),
    ("problems", "errors", "failures", "issues"),
    ("acc", "accum", "running"),
    ("row", "line", "scanline"),
    ("lines", "rows", "summary"),
    ("col", "column", "x"),
    ("first", "leading", "lead"),
    ("trailer", "footer", "tail"),
    ("text", "encoded", "raw"),
    ("padded", "field", "slot"),
    ("fields", "dims", "meta"),
    ("image", "img", "picture"),
    ("state", "ctx", "context"),
    ("item", "entry", "elem", "element"),
    ("prev", "last", "previous"),
    ("status", "rc", "code"),
    ("truncated", "wrapped", "clipped", "narrowed"),
    ("written", "nwritten", "wrote"),
    ("needed", "required", "wanted"),
    ("unmet", "failed", "missing", "violated"),
    ("conditions", "checks", "requirements", "rules"),
    ("describe", "summarize", "report", "explain"),
    ("build", "make", "assemble", "craft"),
    ("pack", "encode", "serialize", "emit"),
    ("parse", "read", "get", "collect"),
    ("poc", "sample", "testcase"),
    ("bytes", "octets"),
    ("update", "feed", "step"),
    ("init", "setup", "prepare"),
    ("write", "put", "store"),
    ("le16", "u16le", "le_u16"),
    ("le32", "u32le", "le_u32"),
    ("ready", "initialised", "built", "done"),
    ("file", "fobj", "handle"),
    ("cell", "word", "wd"),
    ("bit", "b"),
    ("shift", "sh"),
    ("factor", "multiplier", "coef"),
    ("scale", "stretch", "resize"),
)

_SINGLE_LETTERS = frozenset(w for g in WORD_GROUPS for w in g if len(w) == 1)


def _index_groups() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for group in WORD_GROUPS:
        for word in group:
            if word in index:
                raise AssertionError(f"word {word!r} belongs to two groups")
            index[word] = group
    return index


_GROUP_OF = _index_groups()

_CAMEL = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def split_words(name: str) -> tuple[str, list[str], str] | None:
    """(leading underscores, lower-case words, style) or None when the name has no words.

    style is "snake", "upper" or "camel"; join_words() puts words back in that style.
    """
    stripped = name.lstrip("_")
    prefix = name[: len(name) - len(stripped)]
    if not stripped or stripped.endswith("_"):
        return None
    if "_" in stripped or stripped.islower() or stripped.isdigit():
        if stripped.isupper():
            return prefix, stripped.lower().split("_"), "upper"
        if stripped.islower() or not any(c.isupper() for c in stripped):
            return prefix, stripped.split("_"), "snake"
        return None
    if stripped.isupper():
        return prefix, [stripped.lower()], "upper"
    parts = _CAMEL.findall(stripped)
    if "".join(parts) != stripped:
        return None
    return prefix, [p.lower() for p in parts], "camel"


def join_words(prefix: str, words: list[str], style: str) -> str:
    if style == "upper":
        return prefix + "_".join(w.upper() for w in words)
    if style == "camel":
        head, *rest = words
        return prefix + head + "".join(w[:1].upper() + w[1:] for w in rest)
    return prefix + "_".join(words)


def candidate_names(name: str, limit: int = 24) -> list[str]:
    """Plausible renamings of ``name`` (never ``name`` itself), best first."""
    split = split_words(name)
    if split is None:
        return []
    prefix, words, style = split
    options: list[list[str]] = []
    for word in words:
        group = _GROUP_OF.get(word)
        if group is None:
            options.append([word])
            continue
        alts = [word] + [w for w in group if w != word]
        if len(words) > 1:
            alts = [w for w in alts if w not in _SINGLE_LETTERS or w == word]
        if style != "snake":
            alts = [w for w in alts if "_" not in w or w == word]
        options.append(alts)
    combos = sorted(
        itertools.product(*[range(len(o)) for o in options]),
        key=lambda idx: (sum(1 for i in idx if i), idx),
    )
    out: list[str] = []
    for idx in combos:
        if not any(idx):
            continue
        chosen = [options[k][i] for k, i in enumerate(idx)]
        if len(set(chosen)) < len(chosen):
            continue  # total_count -> "total_total" reads as a typo
        cand = join_words(prefix, chosen, style)
        if cand != name and cand.isidentifier() and cand not in out:
            out.append(cand)
        if len(out) >= limit:
            break
    return out


def _words(text: str) -> list[str]:
    return text.split()


PYTHON_RESERVED: frozenset[str] = frozenset(
    set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins)) | {"self", "cls", "_"}
)

C_KEYWORDS: frozenset[str] = frozenset(
    _words(
        """
    auto break case char const continue default do double else enum extern float for goto if
    inline int long register restrict return short signed sizeof static struct switch
    typedef union unsigned void volatile while _Bool _Complex _Imaginary _Alignas _Alignof
    _Atomic _Generic _Noreturn _Static_assert _Thread_local asm typeof __typeof__
    __attribute__ __asm__ __inline__ __restrict __restrict__ __extension__ __volatile__
    __const bool true false alignas alignof static_assert thread_local noreturn complex
    imaginary class new delete this template typename namespace using public private
    protected virtual friend operator throw try catch mutable explicit export nullptr
    constexpr decltype
    """
    )
)

# Names declared by the C standard library and POSIX headers (functions, macros, objects):
# a local or static renamed to one of these could clash with a header or a macro.
C_LIBRARY_NAMES: frozenset[str] = frozenset(
    _words(
        """
    abort abs acos asctime asin assert atan atan2 atexit atof atoi atol atoll bsearch btowc
    calloc ceil clearerr clock cos cosh ctime difftime div errno exit exp fabs fclose feof
    ferror fflush fgetc fgetpos fgets floor fmod fopen fprintf fputc fputs fread free
    freopen frexp fscanf fseek fsetpos ftell fwrite getc getchar getenv gets gmtime isalnum
    isalpha iscntrl isdigit isgraph islower isprint ispunct isspace isupper isxdigit labs
    ldexp ldiv localeconv localtime log log10 longjmp malloc mblen mbstowcs mbtowc memchr
    memcmp memcpy memmove memset mktime modf offsetof perror pow printf putc putchar puts
    qsort raise rand realloc remove rename rewind scanf setbuf setjmp setlocale setvbuf
    signal sin sinh snprintf sprintf sqrt srand sscanf stderr stdin stdout strcat strchr
    strcmp strcoll strcpy strcspn strerror strftime strlen strncat strncmp strncpy strpbrk
    strrchr strspn strstr strtod strtok strtol strtoul strxfrm system tan tanh time tmpfile
    tmpnam tolower toupper ungetc va_arg va_copy va_end va_list va_start vfprintf vprintf
    vsprintf vsnprintf wcstombs wctomb round trunc lround fmin fmax fma hypot cbrt exp2 log2
    log1p expm1 erf erfc tgamma lgamma gamma y0 y1 yn j0 j1 jn nan isnan isinf isfinite
    signbit copysign nearbyint rint remainder index rindex bcopy bzero bcmp strdup strndup
    strnlen strsep strtok_r stpcpy ffs open close read write lseek unlink link symlink stat
    fstat lstat access chdir chmod chown dup dup2 pipe fork exec execv execve execvp getpid
    getppid kill sleep usleep alarm pause sync fsync truncate ftruncate mmap munmap mprotect
    select poll socket bind listen accept connect send recv sendto recvfrom shutdown getopt
    optarg optind opterr optopt environ popen pclose fileno fdopen getline getdelim basename
    dirname realpath mkdir rmdir opendir readdir closedir wait waitpid umask ioctl fcntl
    isatty ttyname size_t ssize_t ptrdiff_t wchar_t intptr_t uintptr_t intmax_t uintmax_t
    off_t time_t clock_t FILE fpos_t div_t ldiv_t jmp_buf sig_atomic_t mbstate_t wint_t
    int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t int_least8_t
    int_least16_t int_least32_t int_least64_t uint_least8_t uint_least16_t uint_least32_t
    uint_least64_t int_fast8_t int_fast16_t int_fast32_t int_fast64_t uint_fast8_t
    uint_fast16_t uint_fast32_t uint_fast64_t NULL EOF BUFSIZ FILENAME_MAX SEEK_SET SEEK_CUR
    SEEK_END EXIT_SUCCESS EXIT_FAILURE main argc argv envp unix linux i386 min max
    """
    )
)

# typedef names that come from standard headers; a statement starting with one declares.
C_STANDARD_TYPEDEFS: frozenset[str] = frozenset(
    _words(
        """
    size_t ssize_t ptrdiff_t wchar_t intptr_t uintptr_t intmax_t uintmax_t off_t time_t
    clock_t FILE fpos_t div_t ldiv_t lldiv_t jmp_buf sig_atomic_t mbstate_t wint_t va_list
    bool int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t int_least8_t
    int_least16_t int_least32_t int_least64_t uint_least8_t uint_least16_t uint_least32_t
    uint_least64_t int_fast8_t int_fast16_t int_fast32_t int_fast64_t uint_fast8_t
    uint_fast16_t uint_fast32_t uint_fast64_t
    """
    )
)

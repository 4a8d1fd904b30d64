#define _GNU_SOURCE
#include "freed_memory.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc
#include <string.h>

#if defined(__linux__)
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

struct loader_tables_request {
    const char *suffix;
    int release;
    uintptr_t start;
    size_t length;
};

static int ends_with(const char *name, const char *suffix) {
    size_t name_length = strlen(name), suffix_length = strlen(suffix);
    return name_length >= suffix_length && strcmp(name + name_length - suffix_length, suffix) == 0;
}

// Whether the loader had to write into the object's read-only segments to relocate it (DT_TEXTREL): those pages are
// then private copies, which dropping would undo. The tags are read as the file has them (only pointers are relocated).
static int has_text_relocations(const struct dl_phdr_info *info) {
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[i];
        if (header->p_type != PT_DYNAMIC) continue;
        for (const ElfW(Dyn) *entry = (const ElfW(Dyn) *)(info->dlpi_addr + header->p_vaddr); entry->d_tag != DT_NULL; entry++) {
            if (entry->d_tag == DT_TEXTREL || (entry->d_tag == DT_FLAGS && (entry->d_un.d_val & DF_TEXTREL))) return 1;
        }
    }
    return 0;
}

// The loader-only segment of one loaded object: a read-only, non-executable PT_LOAD ahead of its first executable one
// (lld and GNU ld with -z separate-code put the headers, .dynsym, .dynstr, .gnu.hash and .rela.* there), outside
// PT_GNU_RELRO, of an object without text relocations. Such a mapping is private, file-backed and never written, so
// dropping its pages loses nothing: a later read maps them again from the page cache.
static int visit(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct loader_tables_request *request = data;
    if (info->dlpi_name == NULL || !ends_with(info->dlpi_name, request->suffix)) return 0;
    if (has_text_relocations(info)) return 1;
    ElfW(Addr) first_executable = (ElfW(Addr))-1, relro_start = 0, relro_end = 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[i];
        if (header->p_type == PT_LOAD && (header->p_flags & PF_X) && header->p_vaddr < first_executable) first_executable = header->p_vaddr;
        if (header->p_type == PT_GNU_RELRO) { relro_start = header->p_vaddr; relro_end = header->p_vaddr + header->p_memsz; }
    }
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[i];
        if (header->p_type != PT_LOAD || header->p_flags != PF_R || header->p_vaddr >= first_executable) continue;
        ElfW(Addr) end = header->p_vaddr + header->p_filesz;
        if (header->p_vaddr < relro_end && relro_start < end) continue;
        // Whole pages only: a page the segment shares with the next one is left alone.
        uintptr_t start = (info->dlpi_addr + header->p_vaddr + page - 1) & ~(page - 1);
        uintptr_t stop = (info->dlpi_addr + end) & ~(page - 1);
        if (stop <= start) continue;
        if (request->release && madvise((void *)start, stop - start, MADV_DONTNEED) != 0) continue;
        if (request->length == 0) request->start = start;
        request->length += stop - start;
    }
    return 1;
}
#endif

static size_t loader_tables(const char *suffix, int release, uintptr_t *start) {
#if defined(__linux__)
    struct loader_tables_request request = {suffix, release, 0, 0};
    dl_iterate_phdr(visit, &request);
    if (start != NULL) *start = request.start;
    return request.length;
#else
    (void)suffix;
    (void)release;
    if (start != NULL) *start = 0;
    return 0;
#endif
}

size_t agnes_release_loader_tables(const char *library_suffix) {
    return loader_tables(library_suffix, 1, NULL);
}

size_t agnes_loader_tables(const char *library_suffix, uintptr_t *start) {
    return loader_tables(library_suffix, 0, start);
}

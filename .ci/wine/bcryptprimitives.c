/* Wine 8.0 has no bcryptprimitives.dll, and Rust's standard library imports ProcessPrng from it
 * on Windows since Rust 1.78: without it the programs do not start under Wine. This stand-in,
 * for the Wine prefix of the Windows checks only (real Windows has the DLL), hands the call to
 * RtlGenRandom, which advapi32 exports as SystemFunction036. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

/*
 * A stand-in for Windows' bcryptprimitives.dll, for Wine 8 (Debian
 * bookworm's), which has none: Go's runtime from 1.24 on loads it at
 * start for ProcessPrng, its source of random bytes, and stops ("fatal
 * error: bcryptprimitives.dll not found") where it is missing. This one
 * exports ProcessPrng over RtlGenRandom (advapi32's SystemFunction036),
 * which Wine has. It is for running the Windows test binaries under
 * Wine in .ci/run, never shipped: a real Windows has the real DLL.
 */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!RtlGenRandom(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Corpus regression without libFuzzer: runs a fuzz target's
 * LLVMFuzzerTestOneInput once over each file named on the command line,
 * so the corpus can be replayed by any compiler, under any sanitizer.
 * A broken property aborts, as under libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		goto fail;
	}
	/* Exactly the file's size, so ASan sees any read past its end. */
	data = malloc(size ? (size_t)size : 1);
	if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
		perror(path);
		goto fail;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)size);
	free(data);
	return 0;
fail:
	free(data);
	if (f)
		fclose(f);
	return -1;
}

int main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++)
		if (replay(argv[i]) != 0)
			bad++;
	printf("%d inputs replayed, %d unreadable\n", argc - 1 - bad, bad);
	return bad ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Fixture for slides/check/selftest.sh: code that must not fit on a slide.
 * Not built; only cut into a deck by slides/tools/build.py.
 */

/* Too tall: 48 statements. */
static int kit_selftest_tall(int x)
{
	x = x * 3 + 0;
	x = x * 3 + 1;
	x = x * 3 + 2;
	x = x * 3 + 3;
	x = x * 3 + 4;
	x = x * 3 + 5;
	x = x * 3 + 6;
	x = x * 3 + 7;
	x = x * 3 + 8;
	x = x * 3 + 9;
	x = x * 3 + 10;
	x = x * 3 + 11;
	x = x * 3 + 12;
	x = x * 3 + 13;
	x = x * 3 + 14;
	x = x * 3 + 15;
	x = x * 3 + 16;
	x = x * 3 + 17;
	x = x * 3 + 18;
	x = x * 3 + 19;
	x = x * 3 + 20;
	x = x * 3 + 21;
	x = x * 3 + 22;
	x = x * 3 + 23;
	x = x * 3 + 24;
	x = x * 3 + 25;
	x = x * 3 + 26;
	x = x * 3 + 27;
	x = x * 3 + 28;
	x = x * 3 + 29;
	x = x * 3 + 30;
	x = x * 3 + 31;
	x = x * 3 + 32;
	x = x * 3 + 33;
	x = x * 3 + 34;
	x = x * 3 + 35;
	x = x * 3 + 36;
	x = x * 3 + 37;
	x = x * 3 + 38;
	x = x * 3 + 39;
	x = x * 3 + 40;
	x = x * 3 + 41;
	x = x * 3 + 42;
	x = x * 3 + 43;
	x = x * 3 + 44;
	x = x * 3 + 45;
	x = x * 3 + 46;
	x = x * 3 + 47;
	return x;
}

/* Too wide: one line of about 150 columns. */
static int kit_selftest_wide(int x)
{
	return x + kit_selftest_tall(x) + kit_selftest_tall(x + 1) + kit_selftest_tall(x + 2) + kit_selftest_tall(x + 3) + kit_selftest_tall(x + 4);
}

/* SPDX-License-Identifier: ISC */
/*
 * Test helper for tests/skmsctl_hsm.sh: makes an AES-256 key object that
 * a key-encryption key must not be (extractable and not sensitive) on the
 * token labelled TOKEN, through the PKCS#11 module MODULE.
 * Usage: hsm_mkkey MODULE TOKEN PIN LABEL. Exit 0 when made.
 */
#include <stdio.h>
#include <string.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>

int
main(int argc, char **argv)
{
	CK_FUNCTION_LIST *m;
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16, i, vlen = 32;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_MECHANISM mech = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
		{ CKA_ENCRYPT, &yes, sizeof(yes) },
		{ CKA_DECRYPT, &yes, sizeof(yes) },
		{ CKA_LABEL, NULL, 0 },
	};
	size_t tl;

	if (argc != 5) {
		fprintf(stderr, "usage: hsm_mkkey MODULE TOKEN PIN LABEL\n");
		return 2;
	}
	t[9].pValue = argv[4];
	t[9].ulValueLen = strlen(argv[4]);
	if ((m = p11_kit_module_load(argv[1], 0)) == NULL ||
	    p11_kit_module_initialize(m) != CKR_OK ||
	    m->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK) {
		fprintf(stderr, "hsm_mkkey: %s: cannot load\n", argv[1]);
		return 1;
	}
	tl = strlen(argv[2]);
	for (i = 0; i < n; i++)
		if (m->C_GetTokenInfo(slots[i], &ti) == CKR_OK && tl <= sizeof(ti.label) &&
		    memcmp(ti.label, argv[2], tl) == 0 &&
		    (tl == sizeof(ti.label) || ti.label[tl] == ' '))
			break;
	if (i == n ||
	    m->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
	    &s) != CKR_OK ||
	    m->C_Login(s, CKU_USER, (CK_UTF8CHAR *)argv[3], strlen(argv[3])) != CKR_OK ||
	    m->C_GenerateKey(s, &mech, t, sizeof(t) / sizeof(t[0]), &h) != CKR_OK) {
		fprintf(stderr, "hsm_mkkey: %s: cannot make the key\n", argv[2]);
		return 1;
	}
	m->C_Logout(s);
	m->C_CloseSession(s);
	p11_kit_module_finalize(m);
	return 0;
}

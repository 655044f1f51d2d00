"""ID numbers at rest (DESIGN §14): encrypted, looked up by a keyed hash, unreadable with another key."""

from dangjian.core.crypto import blind_index, decrypt, encrypt

ID = "11010119900307002X"


def test_encrypt_decrypt_round_trip():
    token = encrypt(ID)
    assert token != ID
    assert ID not in token
    assert decrypt(token) == ID


def test_encryption_is_randomised_but_both_tokens_decrypt():
    a, b = encrypt(ID), encrypt(ID)
    assert a != b
    assert decrypt(a) == decrypt(b) == ID


def test_empty_values_stay_empty():
    assert encrypt("") == ""
    assert decrypt("") == ""
    assert blind_index("") == ""


def test_decrypting_garbage_gives_empty_string():
    assert decrypt("garbage") == ""
    assert decrypt("gAAAAABnot-a-real-token==") == ""


def test_a_token_from_another_key_does_not_decrypt(settings):
    settings.FIELD_ENCRYPTION_KEY = "key-one"
    token = encrypt(ID)
    settings.FIELD_ENCRYPTION_KEY = "key-two"
    assert decrypt(token) == ""
    settings.FIELD_ENCRYPTION_KEY = "key-one"
    assert decrypt(token) == ID


def test_blind_index_is_stable_and_hides_the_value():
    h = blind_index(ID)
    assert h == blind_index(ID)
    assert len(h) == 64
    assert ID not in h


def test_blind_index_ignores_the_case_of_the_check_character():
    assert blind_index("11010119900307002x") == blind_index("11010119900307002X")


def test_blind_index_differs_for_different_numbers_and_keys(settings):
    assert blind_index(ID) != blind_index("110101199003071233")
    settings.FIELD_ENCRYPTION_KEY = "key-one"
    one = blind_index(ID)
    settings.FIELD_ENCRYPTION_KEY = "key-two"
    assert blind_index(ID) != one

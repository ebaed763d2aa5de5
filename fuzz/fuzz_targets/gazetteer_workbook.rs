//! A gazetteer workbook from anywhere (an administrator's upload): any bytes are refused with
//! a message or read into places whose codes are well formed — never a panic or a hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(places) = krousar_store::gazetteer::read_workbook_bytes("fuzz.xlsx", data) {
        for p in places {
            assert!(p.code.bytes().all(|b| b.is_ascii_digit()), "codes are digits: {:?}", p.code);
            assert_eq!(p.code.len(), p.level.code_len());
            assert!(!p.name_km.contains('\u{200B}'));
        }
    }
});

"""How figures and names reach a reader: number formatting per language (`fmt`), translations
(`i18n`, texts in impact/locales), the one chart template and builders (`charts`), names made
safe as text (`safetext`) and exact JSON (`jsonout`). No data access here."""

# ruff: noqa: E501  (a table of names reads best one country a line)
"""Name parts for fictional demo subjects: combined at random, they name nobody real."""

from __future__ import annotations

# country: (family names, given names male, given names female, [(family, given) in original script])
NAMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "FR": (["Morvan", "Delacroix", "Fabre", "Lemaire", "Carrel"], ["Julien", "Thierry", "Bastien"],
           ["Camille", "Elodie", "Maëlle"]),
    "DE": (["Krüger", "Hartmann", "Vogt", "Lindner", "Böhm"], ["Jörg", "Matthias", "Lukas"],
           ["Anneke", "Svenja", "Jutta"]),
    "IT": (["Marchetti", "Ferraro", "Galli", "Rinaldi"], ["Lorenzo", "Matteo", "Davide"],
           ["Chiara", "Giulia"]),
    "ES": (["Navarro", "Ibáñez", "Cortés", "Serrano"], ["Álvaro", "Rubén", "Iker"],
           ["Lucía", "Nerea"]),
    "US": (["Whitfield", "Calloway", "Brennan", "Okafor"], ["Tyler", "Dwayne", "Caleb"],
           ["Brittany", "Shayla"]),
    "GB": (["Ashworth", "Pennington", "Holloway"], ["Callum", "Rhys"], ["Imogen", "Niamh"]),
    "BR": (["Albuquerque", "Siqueira", "Teixeira"], ["Thiago", "Rodrigo"], ["Luana", "Thaís"]),
    "MX": (["Villaseñor", "Quintero", "Arreola"], ["Jesús", "Eduardo"], ["Guadalupe", "Ximena"]),
    "NG": (["Adeyemi", "Okonkwo", "Balogun"], ["Chukwudi", "Tunde"], ["Ngozi", "Funmilayo"]),
    "TR": (["Yıldırım", "Aksoy", "Kaplan", "Öztürk"], ["Mert", "Emre", "Oğuz"], ["Elif", "Zeynep"]),
    "AE": (["Al Suwaidi", "Al Marzouqi", "Al Hammadi"], ["Khalfan", "Saeed"], ["Mariam", "Hessa"]),
    "IN": (["Raghavan", "Chaturvedi", "Bhattacharya"], ["Vikram", "Anirudh"], ["Priyanka", "Lavanya"]),
}  # fmt: skip

# Subjects written in their own script, with a Latin form in one common scheme.
ORIGINAL: dict[str, list[tuple[str, str, str, str, str]]] = {
    # country: (family, given, family latin, given latin, sex)
    "CN": [("周", "建国", "Zhou", "Jianguo", "M"), ("林", "晓梅", "Lin", "Xiaomei", "F"),
           ("高", "文斌", "Gao", "Wenbin", "M"), ("郑", "海燕", "Zheng", "Haiyan", "F")],
    "RU": [("Воронцов", "Игорь", "Vorontsov", "Igor", "M"), ("Кузьмина", "Алёна", "Kuzmina", "Alyona", "F"),
           ("Щукин", "Вадим", "Shchukin", "Vadim", "M"), ("Жаров", "Евгений", "Zharov", "Evgeny", "M")],
    "EG": [("الشناوي", "كريم", "El Shenawy", "Karim", "M"), ("عبد الحميد", "محمد", "Abdel Hamid", "Mohamed", "M")],
    "IR": [("رضایی", "مهدی", "Rezaei", "Mahdi", "M"), ("کریمی", "نسرین", "Karimi", "Nasrin", "F")],
    "KR": [("박", "성훈", "Park", "Seonghun", "M"), ("최", "지은", "Choi", "Jieun", "F")],
    "GR": [("Παπαδάκης", "Νικόλαος", "Papadakis", "Nikolaos", "M")],
}  # fmt: skip

ORDINARY_CHARGES: list[tuple[str, str, str, float]] = [
    # (ICCS code, description, legal provision, max penalty in years)
    ("0101", "Intentional homicide of a rival during a robbery", "Criminal Code art. 121", 30),
    ("0201", "Serious assault with a knife causing permanent injury", "Criminal Code art. 222", 15),
    ("0301", "Rape of a minor under 15", "Criminal Code art. 222-23", 20),
    ("0303", "Production and distribution of child sexual abuse material", "Criminal Code art. 227", 10),
    ("0401", "Armed robbery of a bank branch with firearms", "Criminal Code art. 311-8", 20),
    ("0701", "Investment fraud of 4 million euros against 300 victims", "Criminal Code art. 313-1", 7),
    ("0601", "Trafficking of 200 kg of cocaine by sea", "Drug Law art. 222-36", 30),
    ("0601", "Importation of 40 kg of heroin", "Narcotics Act s. 3", 20),
    ("0204", "Trafficking in persons for sexual exploitation", "Criminal Code art. 225-4", 15),
    ("0704", "Money laundering for a drug trafficking network", "Criminal Code art. 324-1", 10),
    ("0703", "Bribery of public officials to obtain contracts", "Anti-Corruption Law art. 12", 10),
    ("0202", "Kidnapping for ransom of a business owner", "Criminal Code art. 224-4", 30),
]  # fmt: skip
